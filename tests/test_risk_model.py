"""The disruption model: documented defaults, overrides from a file, located errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from alliedforge.risk.model import (
    RiskModelError,
    default_model,
    default_model_text,
    model_from_dict,
    model_to_dict,
    read_model,
)


def test_the_default_file_is_the_default_model() -> None:
    assert model_to_dict(default_model()) == tomllib.loads(default_model_text())


def test_a_file_overrides_only_the_keys_it_sets(tmp_path: Path) -> None:
    path = tmp_path / "model.toml"
    path.write_text("[line_outage]\nprobability_per_year = 0.5\n", encoding="utf-8")
    model = read_model(path)
    default = default_model()
    assert model.line_outage.probability_per_year == 0.5
    assert model.line_outage.months_max == default.line_outage.months_max
    assert model.demand_surge == default.demand_surge


def test_every_problem_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        "[line_outage]\nprobability_per_year = 1.5\nmonths_mode = 2.5\n"
        "[demand_surge]\nfactor_min = 2.0\nfactor_max = 1.2\ncolour = 'red'\n"
        "[volcano]\nprobability = 0.1\n",
        encoding="utf-8",
    )
    with pytest.raises(RiskModelError) as caught:
        read_model(path)
    found = {(p.where, p.field, p.value) for p in caught.value.problems}
    assert found == {
        (f"{path} [line_outage]", "probability_per_year", "1.5"),
        (f"{path} [line_outage]", "months_mode", "2.5"),
        (f"{path} [demand_surge]", "factor_min", "2.0"),
        (f"{path} [demand_surge]", "colour", "'red'"),
        (str(path), "[volcano]", ""),
    }


def test_a_file_that_is_not_toml_says_so(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[line_outage\n", encoding="utf-8")
    with pytest.raises(RiskModelError, match=r"broken\.toml"):
        read_model(path)


def test_the_mode_must_lie_between_min_and_max() -> None:
    data = model_to_dict(default_model())
    data["line_outage"] = {**data["line_outage"], "months_mode": 20}
    with pytest.raises(RiskModelError, match="months_mode"):
        model_from_dict(data, "risk.json")
