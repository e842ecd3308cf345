"""`forge risk` on a tiny package: outputs written, same seed same samples, located errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from alliedforge.cli.main import app
from alliedforge.risk.outcome import result_from_dict, summarise
from alliedforge.scenario import write_scenario
from test_risk_run import risk_scenario

runner = CliRunner(env={"COLUMNS": "200"})


def _package(tmp_path: Path) -> Path:
    folder = tmp_path / "scenario"
    write_scenario(risk_scenario(), folder)
    return folder


def _risk(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["risk", *args])
    return result.exit_code, result.output


def test_risk_writes_json_report_and_samples(tmp_path: Path) -> None:
    base = _package(tmp_path)
    model = tmp_path / "model.toml"
    model.write_text("[line_outage]\nprobability_per_year = 0.7\n", encoding="utf-8")
    out = tmp_path / "risk"
    code, output = _risk(
        str(base), "--samples", "5", "--seed", "3", "--workers", "1",
        "--model", str(model), "--out", str(out),
    )  # fmt: skip
    assert code == 0, output
    assert "Requirements most at risk" in output
    data = json.loads((out / "risk.json").read_text(encoding="utf-8"))
    result = result_from_dict(data)
    assert result.model.line_outage.probability_per_year == 0.7
    assert [s.sample for s in result.samples] == [0, 1, 2, 3, 4]
    assert data["summary"]["samples"] == summarise(result).samples == 5
    with (out / "samples.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["sample"] for r in rows] == ["-1", "0", "1", "2", "3", "4"]
    assert "<h1>Risk report: tiny</h1>" in (out / "report.html").read_text(encoding="utf-8")

    again = tmp_path / "again"
    code, output = _risk(
        str(base), "--samples", "5", "--seed", "3", "--workers", "2",
        "--model", str(model), "--out", str(again),
    )  # fmt: skip
    assert code == 0, output
    changes = [s["changes"] for s in data["samples"]]
    redone = json.loads((again / "risk.json").read_text(encoding="utf-8"))
    assert [s["changes"] for s in redone["samples"]] == changes
    assert [s["on_time"] for s in redone["samples"]] == [s["on_time"] for s in data["samples"]]


def test_a_bad_model_file_is_located_and_nothing_is_written(tmp_path: Path) -> None:
    model = tmp_path / "model.toml"
    model.write_text("[lead_time]\nprobability = 2\n", encoding="utf-8")
    out = tmp_path / "risk"
    code, output = _risk(str(_package(tmp_path)), "--model", str(model), "--out", str(out))
    assert code == 2
    assert "[lead_time]: probability = 2: must be between 0 and 1" in output
    assert not out.exists()


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "risk"
    code, output = _risk(
        str(_package(tmp_path)), "--samples", "1", "--scheduler", "tcp://127.0.0.1:9",
        "--out", str(out),
    )  # fmt: skip
    assert code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in output
    assert not out.exists()


def test_workers_and_scheduler_exclude_each_other(tmp_path: Path) -> None:
    code, output = _risk(
        str(_package(tmp_path)), "--workers", "2", "--scheduler", "tcp://127.0.0.1:9"
    )
    assert code == 2
    assert "not both" in output
