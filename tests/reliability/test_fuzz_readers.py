"""Hostile files for every reader: a Scenario or WhatIf comes back, or the located error.

Each reader gets `ALLIEDFORGE_FUZZ_EXAMPLES` generated cases (300 in CI, 10,000 in `make
reliability`); any other exception, or a case over its time limit, fails the test. Each
test prints `fuzz <reader>: N cases, A read, R rejected` for the reliability report.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliedforge.scenario import Scenario, ScenarioError, load_scenario
from alliedforge.whatif.changes import WhatIf
from alliedforge.whatif.errors import WhatIfError
from alliedforge.whatif.files import parse_whatif, read_whatif, whatif_to_toml
from reliability.fuzz_strategies import (
    CASE_SECONDS,
    EXAMPLES,
    HANG_SECONDS,
    base_folder,
    csv_packages,
    manifests,
    time_limit,
    whatif_texts,
    workbooks,
    write_files,
)

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=CASE_SECONDS),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _scenario_outcome(path: Path, tally: Counter[str]) -> None:
    """Load `path`: a Scenario, or a ScenarioError whose every problem names its table."""
    tally["cases"] += 1
    with time_limit(HANG_SECONDS):
        try:
            scenario: Scenario | ScenarioError = load_scenario(path)
        except ScenarioError as error:
            scenario = error
    if isinstance(scenario, Scenario):
        tally["read"] += 1
        return
    assert scenario.problems, "a ScenarioError without problems"
    for problem in scenario.problems:
        assert problem.table, f"a problem that names no table or file: {problem}"
        assert problem.table in str(problem)
    tally["rejected"] += 1


def _summary(reader: str, tally: Counter[str]) -> None:
    print(
        f"fuzz {reader}: {tally['cases']} cases, {tally['read']} read, {tally['rejected']} rejected"
    )
    assert tally["cases"] >= EXAMPLES
    assert tally["rejected"] > 0, "no case was rejected: the mutations do not bite"


def test_csv_folders_are_read_or_rejected_with_located_problems() -> None:
    tally: Counter[str] = Counter()

    @FUZZ
    @given(files=csv_packages())
    def case(files: dict[str, bytes]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            write_files(Path(tmp), files)
            _scenario_outcome(Path(tmp), tally)

    case()
    _summary("csv folder", tally)


def test_manifests_are_read_or_rejected_with_located_problems() -> None:
    tally: Counter[str] = Counter()

    @FUZZ
    @given(manifest=manifests())
    def case(manifest: bytes) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            write_files(Path(tmp), {**dict(base_folder()), "scenario.toml": manifest})
            _scenario_outcome(Path(tmp), tally)

    case()
    _summary("scenario.toml", tally)


def test_workbooks_are_read_or_rejected_with_located_problems() -> None:
    tally: Counter[str] = Counter()

    @FUZZ
    @given(workbook=workbooks())
    def case(workbook: bytes) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "scenario.xlsx"
            path.write_bytes(workbook)
            _scenario_outcome(path, tally)

    case()
    _summary("xlsx", tally)


def _whatif_case(fmt: str, text: str, as_file: bool, tally: Counter[str]) -> None:
    tally["cases"] += 1
    with time_limit(HANG_SECONDS), tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"hostile.{fmt}"
        source = str(path) if as_file else "hostile"
        try:
            if as_file:
                path.write_bytes(text.encode("utf-8", "surrogatepass"))
                whatif: WhatIf | WhatIfError = read_whatif(path)
            else:
                whatif = parse_whatif(text, fmt, source)
        except WhatIfError as error:
            whatif = error
    if isinstance(whatif, WhatIf):
        # What was read can be kept and written: the TOML written reads back the same.
        assert parse_whatif(whatif_to_toml(whatif), "toml", "written") == whatif
        tally["read"] += 1
        return
    assert whatif.problems, "a WhatIfError without problems"
    for problem in whatif.problems:
        assert problem.where.startswith(source), f"a problem not located in {source}: {problem}"
    tally["rejected"] += 1


def test_toml_whatifs_are_read_or_rejected_with_located_problems() -> None:
    tally: Counter[str] = Counter()

    @FUZZ
    @given(text=whatif_texts("toml"), as_file=st.booleans())
    def case(text: str, as_file: bool) -> None:
        _whatif_case("toml", text, as_file, tally)

    case()
    _summary("what-if toml", tally)


def test_yaml_whatifs_are_read_or_rejected_with_located_problems() -> None:
    tally: Counter[str] = Counter()

    @FUZZ
    @given(text=whatif_texts("yaml"), as_file=st.booleans())
    def case(text: str, as_file: bool) -> None:
        _whatif_case("yaml", text, as_file, tally)

    case()
    _summary("what-if yaml", tally)
