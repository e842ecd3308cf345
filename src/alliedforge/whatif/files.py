"""What-if files: TOML or YAML in, TOML out, every problem located (docs/whatif.md).

The shape is flat: `name`, `description`, then one `[[change]]` table per change with its
`kind` and fields. The same shape as a dict is what the database and the web app keep.
"""

from __future__ import annotations

import math
import re
import reprlib
import tomllib
from dataclasses import MISSING, fields
from pathlib import Path
from types import NoneType
from typing import Any, get_args, get_type_hints

import yaml

from alliedforge.scenario.months import is_month
from alliedforge.whatif.changes import CHANGE_TYPES, Change, WhatIf
from alliedforge.whatif.errors import WhatIfError, WhatIfProblem, shown

MAX_FILE_BYTES = 1_000_000
MAX_CHANGES = 1000
SUFFIXES = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}
TOP_KEYS = ("name", "description", "change")
# Fields that hold a month `YYYY-MM`, checked for form here and for the horizon when applied.
MONTH_FIELDS = frozenset({"start", "from_month", "to_month"})
# PyYAML's scanner slows down with the square of the nesting of flow collections (`[`, `{`):
# seconds for a few kilobytes of `[[[[`. A what-if nests three deep; brackets in quoted
# text count too, hence the room.
MAX_FLOW_DEPTH = 64
_BRACKETS = re.compile(r"[\[\]{}]")


class _Brief(reprlib.Repr):
    """A bounded repr: a YAML alias bomb or a 10,000-digit hex number is quoted in a few
    dozen characters, never expanded (repr of an int past 4,300 digits even raises)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 2  # the default 6 levels of 6 items each is 46,656 items to show
        self.maxlist = self.maxdict = 4

    def repr_int(self, x: int, level: int) -> str:
        bits = x.bit_length()
        return f"<a whole number of {bits} bits>" if bits > 256 else super().repr_int(x, level)


_BRIEF = _Brief()


def read_whatif(path: Path) -> WhatIf:
    """Read a what-if file (.toml, .yaml or .yml); raises `WhatIfError` with every problem."""
    source = str(path)
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise WhatIfError(
            [_problem(source, "", path.suffix, "expected a .toml, .yaml or .yml file")]
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            message = f"expected at most {MAX_FILE_BYTES:,} bytes, the file has {size:,}"
            raise WhatIfError([_problem(source, "", "", message)])
        data = path.read_bytes()
    except OSError as error:
        raise WhatIfError([_problem(source, "", "", f"cannot read: {error.strerror}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise WhatIfError([_problem(source, "", "", "expected UTF-8 text")]) from None
    return parse_whatif(text, fmt, source)


def parse_whatif(text: str, fmt: str, source: str) -> WhatIf:
    """Parse what-if text in `fmt` ("toml" or "yaml"); `source` names it in problems."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate, as JSON's "\\ud800" gives
        raise WhatIfError([_problem(source, "", "", "expected UTF-8 text")]) from None
    if size > MAX_FILE_BYTES:
        raise WhatIfError([_problem(source, "", "", f"expected at most {MAX_FILE_BYTES:,} bytes")])
    data: object
    # Both parsers recurse once per nesting level, and int() refuses over 4,300 digits:
    # RecursionError and a plain ValueError are syntax problems of hostile text too.
    if fmt == "toml":
        try:
            data = tomllib.loads(text)
        except (ValueError, RecursionError) as error:
            raise _unparsable(source, "TOML", error) from None
    elif fmt == "yaml":
        if _flow_depth(text) > MAX_FLOW_DEPTH:
            message = f"not valid YAML: brackets nested over {MAX_FLOW_DEPTH} levels deep"
            raise WhatIfError([_problem(source, "", "", message)])
        try:
            data = yaml.safe_load(text)
        except (yaml.YAMLError, ValueError, RecursionError) as error:
            raise _unparsable(source, "YAML", error) from None
    else:
        raise ValueError(f"a what-if is TOML or YAML, not {fmt!r}")
    return whatif_from_dict(data, source)


def _flow_depth(text: str) -> int:
    """The deepest nesting of `[` and `{` in `text`, quoted or not."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(text):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _unparsable(source: str, fmt: str, error: Exception) -> WhatIfError:
    reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
    message = f"not valid {fmt}: " + reason.replace("\n", " ")
    return WhatIfError([_problem(source, "", "", message)])


def _shown(value: object) -> str:
    """A value as a problem quotes it; containers and huge numbers bounded."""
    return shown(value) if isinstance(value, str) else _BRIEF.repr(value)


def _key(key: object) -> str:
    return key if isinstance(key, str) else _shown(key)


def _problem(where: str, field: str, value: str, message: str) -> WhatIfProblem:
    return WhatIfProblem(where, field, value, message)


def _expected(hint: object) -> str:
    """The kind of value a field's type hint (`int`, `float | None`, …) asks for."""
    base = next(a for a in (*get_args(hint), hint) if a is not NoneType)
    return {int: "whole number", float: "number"}.get(base, "text")


def _value(kind: str, name: str, value: object) -> tuple[object, str | None]:
    """The field's value typed, or the reason it cannot be."""
    if kind == "whole number":
        if isinstance(value, int) and not isinstance(value, bool):
            # Past 64 bits no store or JSON answer keeps it (str() fails past 4,300 digits).
            if abs(value) < 2**63:
                return value, None
            return value, "expected a whole number below 2**63"
        return value, "expected a whole number"
    if kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                number = float(value)
            except OverflowError:  # a whole number past the largest float
                number = math.inf
            if math.isfinite(number):
                return number, None
            return value, "expected a finite number"
        return value, "expected a number"
    if not isinstance(value, str):
        return value, "expected text"
    if name in MONTH_FIELDS and not is_month(value):
        return value, "expected a month YYYY-MM"
    return value.strip(), None


def _change(
    kind_of: object, table: dict[str, Any], where: str
) -> tuple[Change | None, list[WhatIfProblem]]:
    if not isinstance(kind_of, str) or kind_of not in CHANGE_TYPES:
        kinds = ", ".join(CHANGE_TYPES)
        return None, [_problem(where, "kind", _shown(kind_of), f"expected one of: {kinds}")]
    cls = CHANGE_TYPES[kind_of]
    hints = get_type_hints(cls)
    problems: list[WhatIfProblem] = []
    known = {f.name: f for f in fields(cls)}
    for key in table:
        if key != "kind" and key not in known:
            allowed = ", ".join(known)
            message = f"not a field of a {kind_of} change (fields: {allowed})"
            problems.append(_problem(where, _key(key), "", message))
    values: dict[str, Any] = {}
    for name, field in known.items():
        if name not in table:
            if field.default is MISSING:
                problems.append(_problem(where, name, "", "missing: a value is required"))
            continue
        optional = NoneType in get_args(hints[name])
        if table[name] is None and optional:
            values[name] = None
            continue
        value, reason = _value(_expected(hints[name]), name, table[name])
        if reason is not None:
            problems.append(_problem(where, name, _shown(table[name]), reason))
        values[name] = value
    if problems:
        return None, problems
    return cls(**values), []


def whatif_from_dict(data: object, source: str) -> WhatIf:
    """A `WhatIf` from the file shape as a dict; raises `WhatIfError` with every problem."""
    if not isinstance(data, dict):
        raise WhatIfError([_problem(source, "", "", "expected a table with name and [[change]]")])
    problems = [
        _problem(source, _key(key), "", f"not a what-if key (keys: {', '.join(TOP_KEYS)})")
        for key in data
        if key not in TOP_KEYS
    ]
    name, description = data.get("name"), data.get("description") or ""
    if not isinstance(name, str) or not name.strip():
        problems.append(_problem(source, "name", _shown(name) if name else "", "expected a name"))
        name = ""
    if not isinstance(description, str):
        problems.append(_problem(source, "description", _shown(description), "expected text"))
        description = ""
    tables = data.get("change", [])
    if not isinstance(tables, list):
        problems.append(_problem(source, "change", "", "expected a list of [[change]] tables"))
        tables = []
    if len(tables) > MAX_CHANGES:
        message = f"expected at most {MAX_CHANGES} changes, got {len(tables)}"
        problems.append(_problem(source, "change", "", message))
        tables = []
    changes: list[Change] = []
    for number, table in enumerate(tables, start=1):
        where = f"{source}:change[{number}]"
        if not isinstance(table, dict):
            problems.append(_problem(where, "", _shown(table), "expected a table of fields"))
            continue
        change, found = _change(table.get("kind"), table, where)
        problems += found
        if change is not None:
            changes.append(change)
    if problems:
        raise WhatIfError(problems)
    return WhatIf(name, tuple(changes), description)


def change_to_dict(change: Change) -> dict[str, object]:
    """A change as its file table: `kind` first, then the fields that are set."""
    table: dict[str, object] = {"kind": change.kind}
    for f in fields(change):
        value = getattr(change, f.name)
        if value is not None:
            table[f.name] = value
    return table


def whatif_to_dict(whatif: WhatIf) -> dict[str, object]:
    """The file shape as a JSON-safe dict (the form the database keeps)."""
    return {
        "name": whatif.name,
        "description": whatif.description,
        "change": [change_to_dict(c) for c in whatif.changes],
    }


def _toml_string(text: str) -> str:
    """A TOML basic string; control characters escaped, as TOML demands."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_value(value: object) -> str:
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def whatif_to_toml(whatif: WhatIf) -> str:
    """The what-if as TOML that `parse_whatif` reads back to an equal `WhatIf`."""
    lines = [f"name = {_toml_string(whatif.name)}"]
    if whatif.description:
        lines.append(f"description = {_toml_string(whatif.description)}")
    for change in whatif.changes:
        lines += ["", "[[change]]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in change_to_dict(change).items()]
    return "\n".join(lines) + "\n"
