"""What-if files: TOML and YAML read alike, problems located, TOML written back losslessly."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import get_type_hints

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliedforge.whatif.changes import (
    CHANGE_TYPES,
    Change,
    ComponentShock,
    DemandFactor,
    LineOutage,
    WhatIf,
)
from alliedforge.whatif.errors import WhatIfError
from alliedforge.whatif.files import (
    MAX_CHANGES,
    MAX_FILE_BYTES,
    parse_whatif,
    read_whatif,
    whatif_from_dict,
    whatif_to_dict,
    whatif_to_toml,
)

from shared_data import REPO

EXAMPLES = sorted((REPO / "src" / "alliedforge" / "data" / "whatifs").glob("*.toml"))

TOML = """
name = "Plant fire"
description = "L1 burns"

[[change]]
kind = "line_outage"
line = "L1"
start = "2028-03"
months = 6

[[change]]
kind = "demand"
factor = 2
nation = "POL"
"""

YAML = """
name: Plant fire
description: L1 burns
change:
  - kind: line_outage
    line: L1
    start: 2028-03
    months: 6
  - kind: demand
    factor: 2
    nation: POL
"""


def test_toml_and_yaml_give_the_same_whatif() -> None:
    expected = WhatIf(
        "Plant fire",
        (LineOutage("L1", "2028-03", 6), DemandFactor(2.0, nation="POL")),
        "L1 burns",
    )
    assert parse_whatif(TOML, "toml", "a.toml") == expected
    assert parse_whatif(YAML, "yaml", "a.yaml") == expected


def test_read_whatif_picks_the_format_by_suffix(tmp_path: Path) -> None:
    (tmp_path / "w.yml").write_text(YAML, encoding="utf-8")
    (tmp_path / "w.toml").write_text(TOML, encoding="utf-8")
    assert read_whatif(tmp_path / "w.yml") == read_whatif(tmp_path / "w.toml")
    (tmp_path / "w.json").write_text("{}", encoding="utf-8")
    with pytest.raises(WhatIfError, match=r"expected a \.toml, \.yaml or \.yml file"):
        read_whatif(tmp_path / "w.json")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_example_whatifs_read(path: Path) -> None:
    whatif = read_whatif(path)
    assert whatif.changes
    assert whatif.description


def test_problems_are_located_by_file_change_and_field() -> None:
    text = """
name = "Bad"
colour = "red"

[[change]]
kind = "line_outage"
line = "L1"
start = "March"
months = "six"

[[change]]
kind = "earthquake"

[[change]]
kind = "demand"
nation = "POL"
factor = nan
size = 3
"""
    with pytest.raises(WhatIfError) as caught:
        parse_whatif(text, "toml", "w.toml")
    lines = str(caught.value).splitlines()
    assert 'w.toml:change[1].months = "six": expected a whole number' in lines
    assert 'w.toml:change[1].start = "March": expected a month YYYY-MM' in lines
    assert any(
        line.startswith('w.toml:change[2].kind = "earthquake": expected one of') for line in lines
    )
    assert "w.toml:change[3].factor = nan: expected a finite number" in lines
    assert any(
        line.startswith("w.toml:change[3].size: not a field of a demand change") for line in lines
    )
    assert any(line.startswith("w.toml.colour: not a what-if key") for line in lines)
    assert len(lines) == 6


def test_missing_fields_and_bad_syntax_are_reported() -> None:
    with pytest.raises(WhatIfError, match=r"change\[1\].months: missing"):
        parse_whatif(
            'name = "x"\n[[change]]\nkind = "line_outage"\nline = "L1"\nstart = "2028-01"\n',
            "toml",
            "w",
        )
    with pytest.raises(WhatIfError, match="not valid TOML"):
        parse_whatif("name = ", "toml", "w")
    with pytest.raises(WhatIfError, match="not valid YAML"):
        parse_whatif("name: [", "yaml", "w")
    with pytest.raises(WhatIfError, match="expected a name"):
        parse_whatif("description = 'no name'", "toml", "w")
    with pytest.raises(WhatIfError, match="expected a whole number"):
        parse_whatif("name: x\nchange:\n  - {kind: lead_time, months: true}\n", "yaml", "w")


def test_size_and_change_count_are_limited(tmp_path: Path) -> None:
    many = 'name = "x"\n' + '[[change]]\nkind = "demand"\nfactor = 1\n' * (MAX_CHANGES + 1)
    with pytest.raises(WhatIfError, match=f"at most {MAX_CHANGES} changes"):
        parse_whatif(many, "toml", "w")
    big = tmp_path / "big.toml"
    big.write_text('name = "x"\n#' + "x" * MAX_FILE_BYTES, encoding="utf-8")
    with pytest.raises(WhatIfError, match="bytes"):
        read_whatif(big)


_codes = st.text(
    st.characters(whitelist_categories=("Lu", "Nd"), whitelist_characters="-_"),
    min_size=1,
    max_size=8,
)
_months = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(2000, 2100), st.integers(1, 12))
_factors = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
_whole = st.integers(-1000, 1000)
_strategy_of = {"float": _factors, "int": _whole, "str": _codes}


def _change_strategy(cls: type[Change]) -> st.SearchStrategy[Change]:
    hints = get_type_hints(cls)
    arguments = {}
    for field in fields(cls):
        hint = str(hints[field.name])
        base = _months if field.name in ("start", "from_month", "to_month") else None
        if base is None:
            base = next(s for name, s in _strategy_of.items() if name in hint)
        arguments[field.name] = st.none() | base if "None" in hint else base
    return st.builds(cls, **arguments)


_changes = st.one_of([_change_strategy(cls) for cls in CHANGE_TYPES.values()])
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    name=_text.filter(lambda s: s.strip() != ""),
    description=_text,
    changes=st.lists(_changes, max_size=6),
)
def test_toml_written_reads_back_the_same(
    name: str, description: str, changes: list[Change]
) -> None:
    whatif = WhatIf(name, tuple(changes), description)
    assert parse_whatif(whatif_to_toml(whatif), "toml", "w") == whatif
    assert whatif_from_dict(whatif_to_dict(whatif), "w") == whatif


def test_an_unlimited_component_shock_writes_only_the_fields_set() -> None:
    text = whatif_to_toml(WhatIf("x", (ComponentShock("NC", 0.5),)))
    assert (
        text
        == 'name = "x"\n\n[[change]]\nkind = "component_shock"\ncomponent = "NC"\nfactor = 0.5\n'
    )
