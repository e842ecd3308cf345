"""`forge timelines analyse` and `forge timelines compress`, run in-process on real files."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from typer.testing import CliRunner

from alliedforge.analysis.timeline_csv import COLUMNS
from alliedforge.cli.main import EXIT_INVALID, app

from shared_data import GOLDEN

runner = CliRunner(env={"COLUMNS": "200"})
TINY = GOLDEN / "tiny"


def _row(code: str, nation: str, gaps: list[int]) -> str:
    """A procurement approved on 2024-01-01 whose stages last `gaps` days."""
    day = date(2024, 1, 1)
    dates = [day]
    for gap in gaps:
        day += timedelta(days=gap)
        dates.append(day)
    return ",".join([code, nation, "155mm-HE", *(d.isoformat() for d in dates)])


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "history.csv"
    path.write_text("\n".join((",".join(COLUMNS), *rows)) + "\n", encoding="utf-8")
    return path


def _table_row(output: str, first: str) -> list[str]:
    """The cells of the rich table row that starts with `first`."""
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃|]", line) if c.strip()]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{output}")


def test_analyse_prints_stage_statistics_computed_by_hand(tmp_path: Path) -> None:
    # preparation 61, 122 and 183 days = 2.0, 4.0 and 6.0 months (30.44 days each);
    # lead time 400 days, longer than any other stage
    path = _write(
        tmp_path,
        _row("P1", "DEU", [61, 30, 30, 30, 400, 30]),
        _row("P2", "DEU", [122, 30, 30, 30, 400, 30]),
        _row("P3", "POL", [183, 30, 30, 30, 400, 30]),
    )
    result = runner.invoke(app, ["timelines", "analyse", str(path)])
    assert result.exit_code == 0, result.output
    # count, median, P20 (61 + 0.4·61 days), P80 (122 + 0.6·61 days), min, max
    assert _table_row(result.output, "preparation")[1:7] == ["3", "4.0", "2.8", "5.2", "2.0", "6.0"]
    assert _table_row(result.output, "all")[3:] == ["lead_time", "lead_time"]
    assert _table_row(result.output, "nation DEU")[1] == "2"
    assert _table_row(result.output, "nation POL")[1] == "1"


def test_analyse_reads_the_demo_file_by_default_and_writes_a_report(tmp_path: Path) -> None:
    report = tmp_path / "out" / "timelines.html"
    result = runner.invoke(app, ["timelines", "analyse", "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert _table_row(result.output, "preparation")[1] == "60"
    assert "skipped for a missing date" in result.output
    text = report.read_text(encoding="utf-8")
    for heading in ("Stage durations", "Bottleneck per nation", "Skipped stages", "Figures"):
        assert heading in text
    assert text.count('class="plotly-graph-div"') == 3
    assert not re.search(r"<script[^>]+src=", text), "plotly.js must be inline, not fetched"


def test_analyse_reports_located_problems_and_exits_2(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _row("P1", "DEU", [30] * 6),
        "P2,DEU,155mm-HE,2024-01-01,2023-12-01,,,,,",
    )
    result = runner.invoke(app, ["timelines", "analyse", str(path)])
    assert result.exit_code == EXIT_INVALID
    row = _table_row(result.output, "history.csv")
    assert row[1:4] == ["3", "tender_published", "2023-12-01"]
    assert "not a valid timelines file" in result.output


def test_analyse_of_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["timelines", "analyse", str(tmp_path / "nothing.csv")])
    assert result.exit_code == EXIT_INVALID
    assert "No such timelines file" in result.output


def test_compress_reports_what_opening_earlier_buys(tmp_path: Path) -> None:
    report = tmp_path / "what-if.html"
    args = ["timelines", "compress", str(TINY), "--stage", "contracting", "--months", "1"]
    result = runner.invoke(app, [*args, "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "baseline plan optimal, compressed plan optimal" in result.output
    # tiny's lines with an earliest decision: L002 from 2027-02, L004 from 2027-03
    assert _table_row(result.output, "L002")[1:] == ["earliest_decision", "2027-02", "2027-01"]
    assert _table_row(result.output, "L004")[1:] == ["earliest_decision", "2027-03", "2027-02"]
    baseline, compressed = (
        float(cell.replace(",", "")) for cell in _table_row(result.output, "objective (EUR)")[1:3]
    )
    assert compressed <= baseline
    for nation in ("N00", "N01", "N02"):
        _table_row(result.output, nation)
    text = report.read_text(encoding="utf-8")
    for heading in ("Compression what-if", "What it buys", "Line openings that change"):
        assert heading in text
    assert text.count('class="plotly-graph-div"') == 1


def test_compress_by_zero_months_changes_nothing() -> None:
    args = ["timelines", "compress", str(TINY), "--stage", "lead_time", "--months", "0"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert _table_row(result.output, "objective (EUR)")[3] == "0"


def test_compress_refuses_bad_input(tmp_path: Path) -> None:
    base = ["timelines", "compress", str(TINY), "--stage", "contracting"]
    assert runner.invoke(app, [*base, "--months", "-1"]).exit_code == EXIT_INVALID
    assert runner.invoke(app, [*base[:3], "--stage", "haste", "--months", "1"]).exit_code == 2
    missing = ["timelines", "compress", str(tmp_path / "none"), "--stage", "bidding"]
    result = runner.invoke(app, [*missing, "--months", "1"])
    assert result.exit_code == EXIT_INVALID
    assert "No such scenario" in result.output
