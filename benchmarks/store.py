"""Import/export benchmark: wall time of `forge` commands on SQLite and PostgreSQL.

Generates the alliance scenario (budgets, components, commitments) and a 100,000-requirement
one, then times each CLI command as a fresh process (start-up, validation and the
transaction included): `forge db upgrade`, `forge import` (first and again, nothing
changed), `forge export` to a folder and to .xlsx, and checks that the exports equal the
generated packages. PostgreSQL runs when `--postgres URL` is given, in a fresh schema
that is dropped afterwards. Prints a markdown table.

    .venv/bin/python benchmarks/store.py [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from alliedforge.scenario import load_scenario

BIN = Path(sys.executable).parent
ALLIANCE = [
    "--nations", "32", "--items", "300", "--families", "30", "--lines", "200",
    "--requirements", "1500", "--months", "60", "--seed", "1",
    "--budgets", "--components", "--commitments",
]  # fmt: skip
LARGE = ["100000" if arg == "1500" else arg for arg in ALLIANCE]  # 100,000 requirements
TARGETS = {("alliance", "import"): 5.0, ("alliance", "export"): 5.0, ("100k", "import"): 20.0}


def forge(url: str | None, *args: str) -> float:
    """Run `forge ARGS` against `url`; its wall time in seconds (it must succeed)."""
    env = dict(os.environ)
    if url is not None:
        env["ALLIEDFORGE_DATABASE_URL"] = url
    start = time.perf_counter()
    done = subprocess.run([BIN / "forge", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"forge {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return elapsed


@contextmanager
def postgres_schema(base: str) -> Iterator[str]:
    """A fresh schema on `base` (dropped afterwards) and the URL that uses it."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def measure(backend: str, url: str, size: str, package: Path, work: Path) -> list[str]:
    """Time the commands on a fresh database; one table row per command."""
    timings = [("db upgrade", forge(url, "db", "upgrade"))]
    timings.append(("import", forge(url, "import", str(package))))
    timings.append(("import again", forge(url, "import", str(package))))
    folder, workbook = work / f"{backend}-{size}-out", work / f"{backend}-{size}-out.xlsx"
    timings.append(("export", forge(url, "export", str(folder))))
    timings.append(("export .xlsx", forge(url, "export", str(workbook))))
    expected = load_scenario(package)
    same = load_scenario(folder) == expected and load_scenario(workbook) == expected
    rows = []
    for command, seconds in timings:
        target = TARGETS.get((size, command)) if backend == "sqlite" else None  # issue 3
        verdict = "" if target is None else ("met" if seconds <= target else "**missed**")
        limit = "" if target is None else f"≤ {target:.0f}"
        rows.append(f"| {backend} | {size} | {command} | {seconds:.1f} | {limit} | {verdict} |")
    rows.append(f"| {backend} | {size} | export equals the package | {same} | | |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL; a fresh schema is used")
    parser.add_argument("--sizes", default="alliance,100k", help="alliance,100k")
    options = parser.parse_args()
    sizes = {"alliance": ALLIANCE, "100k": LARGE}
    with tempfile.TemporaryDirectory(prefix="forge-bench-") as tmp:
        work = Path(tmp)
        rows = ["| database | size | command | wall s | target s | |", "|---|---|---|---|---|---|"]
        for size in options.sizes.split(","):
            package = work / size
            seconds = forge(None, "generate", str(package), *sizes[size])
            print(f"generated {size} in {seconds:.1f} s", file=sys.stderr)
            rows += measure("sqlite", f"sqlite:///{work / size}.db", size, package, work)
            if options.postgres:
                with postgres_schema(options.postgres) as url:
                    rows += measure("postgresql", url, size, package, work)
        print("\n".join(rows))


if __name__ == "__main__":
    main()
