"""Regenerate the demo's procurement timelines, src/alliedforge/data/timelines.csv.

The file is the seeded output of `demo_timelines` over the demo scenario's nations and
item families; a test checks that the shipped file still is. Run after changing either:
`.venv/bin/python scripts/demo_timelines.py`.
"""

from __future__ import annotations

from pathlib import Path

from alliedforge.analysis.timeline_csv import render_timelines
from alliedforge.analysis.timeline_demo import demo_timelines
from alliedforge.scenario import load_scenario

DATA = Path(__file__).resolve().parent.parent / "src" / "alliedforge" / "data"


def main() -> None:
    procurements = demo_timelines(load_scenario(DATA / "demo"))
    target = DATA / "timelines.csv"
    target.write_bytes(render_timelines(procurements).encode("utf-8"))
    print(f"Wrote {len(procurements)} procurements to {target}")


if __name__ == "__main__":
    main()
