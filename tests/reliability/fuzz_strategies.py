"""Hostile inputs for the scenario and what-if readers: valid packages, then mutated."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from functools import cache
from pathlib import Path
from types import FrameType

import tomli_w
import yaml
from hypothesis import strategies as st

from alliedforge.scenario import write_scenario
from alliedforge.whatif.changes import CHANGE_TYPES

from helpers_scenario import base_scenario

# How many generated cases each reader gets: small in CI, 10,000 in `make reliability`.
EXAMPLES = int(os.environ.get("ALLIEDFORGE_FUZZ_EXAMPLES", "300"))
# Hypothesis' deadline of one case (s), and the wall-clock limit past which it counts as
# hung (the machine may be busy with the rest of the reliability suite).
CASE_SECONDS = 5
HANG_SECONDS = 15

Files = dict[str, bytes]

# Cell texts that have broken readers somewhere: numbers past every limit, formulas,
# control characters, lone quotes, months out of range, cells over csv's field limit.
HOSTILE_TEXT = (
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "-1",
    "-0",
    "1e400",
    "-1e400",
    "1e-400",
    "9" * 5000,
    "0x1F",
    "1_000",
    "٣",
    "=1+1",
    "+cmd|' /C calc'!A0",
    "@SUM(A1)",
    '"',
    'a"b',
    "\x00",
    "\r",
    "a\nb",
    "\ufeff",
    "2027-13",
    "0000-01",
    "9999-12",
    "99999-01",
    "2027-1",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "x" * 200_000,
)

hostile_text = st.sampled_from(HOSTILE_TEXT) | st.text(max_size=30)


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Interrupt the case after `seconds`: hypothesis' deadline only judges a case that ends."""

    def hung(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"the reader took over {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# -- CSV folders ---------------------------------------------------------------------------


@cache
def base_folder() -> tuple[tuple[str, bytes], ...]:
    """The files of the base scenario's CSV package, name and bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_scenario(base_scenario(), folder)
        return tuple(sorted((p.name, p.read_bytes()) for p in folder.iterdir()))


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


@st.composite
def _table_edit(draw: st.DrawFn, rows: list[list[str]]) -> list[list[str]]:
    """One edit of a table's records: a cell, a column, a row made ragged or added."""
    rows = [list(row) for row in rows]
    at = draw(st.integers(0, len(rows) - 1))
    edit = draw(st.sampled_from(["cell", "drop", "extra", "ragged", "row", "header"]))
    if edit == "cell" and rows[at]:
        rows[at][draw(st.integers(0, len(rows[at]) - 1))] = draw(hostile_text)
    elif edit == "drop" and rows[0]:
        column = draw(st.integers(0, len(rows[0]) - 1))
        rows = [row[:column] + row[column + 1 :] for row in rows]
    elif edit == "extra":
        rows = [[*row, draw(hostile_text)] for row in rows]
    elif edit == "ragged":
        rows[at] = rows[at][:-1] if draw(st.booleans()) else [*rows[at], draw(hostile_text)]
    elif edit == "row":
        width = len(rows[0])
        rows.insert(at + 1, draw(st.lists(hostile_text, min_size=width, max_size=width)))
    elif edit == "header" and rows[0]:
        names = [*rows[0], "code", "from", "month"]
        rows[0][draw(st.integers(0, len(rows[0]) - 1))] = draw(st.sampled_from(names))
    return rows


@st.composite
def _byte_edit(draw: st.DrawFn, content: bytes) -> bytes:
    """One edit of a file's bytes: another encoding, a BOM, bytes spliced in, a cut."""
    edit = draw(st.sampled_from(["encode", "bom", "splice", "cut", "random", "quote"]))
    if edit == "encode":
        encoding = draw(st.sampled_from(["utf-16", "utf-16-be", "utf-32", "latin-1", "cp1252"]))
        return content.decode("utf-8", "replace").encode(encoding, "replace")
    if edit == "bom":
        bom = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb"]))
        return bom + content
    at = draw(st.integers(0, len(content)))
    if edit == "splice":
        return content[:at] + draw(st.binary(min_size=1, max_size=20)) + content[at:]
    if edit == "cut":
        return content[:at]
    if edit == "quote":
        return content[:at] + b'"' + content[at:]
    return draw(st.binary(max_size=200))


@st.composite
def csv_packages(draw: st.DrawFn) -> Files:
    """The base CSV package with one to four hostile edits; may drop or add files."""
    files = dict(base_folder())
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["table", "table", "bytes", "manifest", "remove", "add"]))
        name = draw(st.sampled_from(sorted(files))) if files else "nations.csv"
        if kind == "table" and name.endswith(".csv"):
            try:
                rows = _rows(files[name])
            except (UnicodeDecodeError, csv.Error):
                continue
            if rows:
                files[name] = _csv(draw(_table_edit(rows)))
        elif kind == "bytes" and name in files:
            files[name] = draw(_byte_edit(files[name]))
        elif kind == "manifest":
            files["scenario.toml"] = draw(manifests())
        elif kind == "remove":
            files.pop(name, None)
        elif kind == "add":
            added = draw(st.sampled_from(["unknown.csv", "bom.csv", "README.md", "fleets.csv"]))
            files[added] = draw(st.binary(max_size=100) | st.just(b"code,name\n"))
    return files


def write_files(folder: Path, files: Files) -> None:
    for name, content in files.items():
        (folder / name).write_bytes(content)


# -- TOML manifests ------------------------------------------------------------------------

# TOML values past the manifest's expectations: wrong types, non-finite, huge, deep.
HOSTILE_TOML = (
    '"x"',
    '""',
    "0",
    "-1",
    "241",
    "1.5",
    "nan",
    "inf",
    "-inf",
    "9" * 5000,
    "0x" + "f" * 5000,
    "true",
    "2027-01-01",
    "12:00:00",
    "2027-01-01T00:00:00Z",
    "[]",
    '[1, "a"]',
    "[[1], [2]]",
    "{a = 1}",
    '"2027-13"',
    '"9999-12"',
    '"0000-01"',
    '"\\u0000"',
    '"' + "x" * 100_000 + '"',
    "[" * 3000 + "]" * 3000,
    '"=HYPERLINK(\\"http://x\\")"',
)
MANIFEST_KEYS = (
    "name",
    "start",
    "months",
    "currency",
    "objective.shortfall_cost",
    "objective.late_fraction",
)

_toml_scalars = (
    st.text(max_size=20)
    | st.integers()
    | st.integers(min_value=10**400, max_value=10**1500)
    | st.floats()
    | st.booleans()
    | st.dates()
    | st.times()
)
_toml_values = st.recursive(
    _toml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@st.composite
def manifests(draw: st.DrawFn) -> bytes:
    """`scenario.toml` bytes: the base manifest with values swapped, or a generated one."""
    base = dict(base_folder())["scenario.toml"].decode("utf-8")
    form = draw(st.sampled_from(["swap", "swap", "generated", "deep-key", "text", "bytes"]))
    if form == "swap":
        key = draw(st.sampled_from(MANIFEST_KEYS)).rsplit(".", 1)[-1]
        value = draw(st.sampled_from(HOSTILE_TOML))
        return re.sub(rf"(?m)^{key} = .*$", lambda _: f"{key} = {value}", base).encode()
    if form == "generated":
        document = draw(st.dictionaries(st.sampled_from(MANIFEST_KEYS) | st.text(), _toml_values))
        try:
            return tomli_w.dumps(document).encode("utf-8")
        except (TypeError, ValueError):
            return base.encode()
    if form == "deep-key":
        depth = draw(st.integers(1, 3000))
        return (base + "x" + ".x" * depth + " = 1\n").encode()
    if form == "text":
        return draw(st.text()).encode("utf-8")
    return draw(st.binary(max_size=300))


# -- .xlsx workbooks -----------------------------------------------------------------------


@cache
def base_workbook() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "base.xlsx"
        write_scenario(base_scenario(), path)
        return path.read_bytes()


def _entries(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _xml_text(text: str) -> str:
    kept = "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)
    return kept.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def _xlsx_cell(draw: st.DrawFn, ref: str) -> str:
    """A worksheet cell element of any type, with a value that may be nonsense for it."""
    kind = draw(st.sampled_from(["inline", "number", "bool", "error", "date", "shared", "f"]))
    if kind == "inline":
        return f'<c r="{ref}" t="inlineStr"><is><t>{_xml_text(draw(hostile_text))}</t></is></c>'
    if kind == "number":
        number = draw(st.sampled_from(["1e400", "nan", "-0", "1" * 400, "x", "", "1e-400"]))
        return f'<c r="{ref}"><v>{number}</v></c>'
    if kind == "bool":
        return f'<c r="{ref}" t="b"><v>{draw(st.sampled_from(["1", "0", "2", "x"]))}</v></c>'
    if kind == "error":
        return f'<c r="{ref}" t="e"><v>#N/A</v></c>'
    if kind == "date":
        when = draw(st.sampled_from(["2027-01-01T00:00:00", "99999-01-01", "x"]))
        return f'<c r="{ref}" t="d"><v>{when}</v></c>'
    if kind == "shared":
        return f'<c r="{ref}" t="s"><v>{draw(st.sampled_from(["0", "99999", "-1"]))}</v></c>'
    return f'<c r="{ref}"><f>SUM(A1:A2)</f><v>{draw(st.sampled_from(["3", "x"]))}</v></c>'


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    """The base workbook with hostile cells, sheets, dimensions or zip damage."""
    entries = _entries(base_workbook())
    sheets = sorted(name for name in entries if name.startswith("xl/worksheets/"))
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(
            st.sampled_from(["cell", "cell", "far", "dimension", "rename", "remove", "xml"])
        )
        sheet = draw(st.sampled_from(sheets))
        xml = entries.get(sheet, b"").decode("utf-8", "replace")
        if edit == "cell":
            cells = re.findall(r'<c r="[A-Z]+[0-9]+"[^>]*>.*?</c>', xml)
            if cells:
                old = draw(st.sampled_from(cells))
                ref = old.split('"')[1]
                xml = xml.replace(old, draw(_xlsx_cell(ref)), 1)
        elif edit == "far":
            ref = draw(st.sampled_from(["XFD2", "A1048576", "XFD1048576", "AA30"]))
            row = int(re.sub("[A-Z]", "", ref))
            cell = draw(_xlsx_cell(ref))
            xml = xml.replace("</sheetData>", f'<row r="{row}">{cell}</row></sheetData>')
        elif edit == "dimension":
            ref = draw(st.sampled_from(["A1:XFD1048576", "A1:XFD1", "A1:A1048576", "ZZ", ""]))
            xml = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', xml)
        elif edit == "rename" and "xl/workbook.xml" in entries:
            name = draw(st.sampled_from(["scenario", "nations", "other", "x" * 31, "a&amp;b"]))
            book = entries["xl/workbook.xml"].decode()
            titles = re.findall(r'<sheet name="([^"]*)"', book)
            old = draw(st.sampled_from(titles))
            book = book.replace(f'<sheet name="{old}"', f'<sheet name="{name}"', 1)
            entries["xl/workbook.xml"] = book.encode()
        elif edit == "remove":
            entries.pop(draw(st.sampled_from(sorted(entries))), None)
        elif edit == "xml":
            garbage = draw(
                st.sampled_from(
                    [
                        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
                        "<unclosed>",
                        "\x00",
                        "&undefined;",
                    ]
                )
            )
            at = draw(st.integers(0, len(xml)))
            xml = xml[:at] + garbage + xml[at:]
        if sheet in entries:
            entries[sheet] = xml.encode("utf-8")
    content = _zipped(entries)
    damage = draw(st.sampled_from(["none", "none", "none", "cut", "flip", "random"]))
    if damage == "cut":
        return content[: draw(st.integers(0, len(content)))]
    if damage == "flip":
        data = bytearray(content)
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] = draw(st.integers(0, 255))
        return bytes(data)
    if damage == "random":
        return draw(st.binary(max_size=500))
    return content


# -- what-if files -------------------------------------------------------------------------


def _field_names() -> list[str]:
    return sorted({f.name for cls in CHANGE_TYPES.values() for f in fields(cls)})


_whatif_values = (
    _toml_values
    | st.sampled_from(["2027-01", "2027-13", "L1", "R1", "N1", "", "nan"])
    | st.floats(-1e6, 1e6)
)


@st.composite
def whatif_documents(draw: st.DrawFn) -> dict[str, object]:
    """A what-if as a dict: real kinds and fields, values of any type."""
    changes = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from([*CHANGE_TYPES, "nonsense"]))
        names = [f.name for f in fields(CHANGE_TYPES[kind])] if kind in CHANGE_TYPES else []
        chosen = draw(st.lists(st.sampled_from([*names, *_field_names()]), unique=True))
        changes.append({"kind": kind, **{name: draw(_whatif_values) for name in chosen}})
    document: dict[str, object] = {"name": draw(hostile_text | _whatif_values)}
    if draw(st.booleans()):
        document["description"] = draw(_whatif_values)
    document["change"] = changes
    if draw(st.booleans()):
        document[draw(st.text(max_size=10))] = draw(_whatif_values)
    return document


def _laughs(levels: int) -> str:
    """A YAML 'billion laughs': each alias level repeats the one below nine times."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


# Raw what-if texts that attack the parser rather than the shape.
HOSTILE_YAML = (
    _laughs(9) + "name: *l9\n",
    _laughs(9) + "name: x\nchange: *l9\n",
    _laughs(9) + "name: x\nchange:\n  - kind: *l9\n    line: *l9\n",
    _laughs(9) + "name: x\ndescription: *l9\n",
    "name: " + "[" * 5000 + "]" * 5000 + "\n",
    "name: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    "name: x\nchange:\n  - kind: line_outage\n    factor: " + "9" * 5000 + "\n",
    "name: x\nchange:\n  - kind: line_outage\n    factor: 0x" + "f" * 5000 + "\n",
    "0x" + "f" * 5000 + ": x\n",
    "name: !!python/object/apply:os.system ['true']\n",
    "--- a\n--- b\n",
    "name: &a [*a]\n",
    "? [a, b]\n: x\n",
    "name: x\nchange: {kind: line_outage}\n",
    "name: 2027-01-01\n",
    "name: x\n<<: {change: 1}\n",
)
HOSTILE_TOML_WHATIF = (
    "name = " + "[" * 5000 + "]" * 5000 + "\n",
    'name = "x"\n[[change]]\nkind = "line_outage"\nfactor = ' + "9" * 5000 + "\n",
    'name = "x"\n[[change]]\nkind = "line_outage"\nfactor = 0x' + "f" * 5000 + "\n",
    'name = "x"\n' + "a" + ".a" * 3000 + " = 1\n",
    'name = "x"\nchange = 1\n',
    'name = "\\ud800"\n',
    "name = 'x'\r\n[[change]]\r\nkind = nan\n",
)


@st.composite
def whatif_texts(draw: st.DrawFn, fmt: str) -> str:
    """Text of a what-if file in `fmt`: a rendered document, maybe cut, or a hostile one."""
    form = draw(st.sampled_from(["document", "document", "hostile", "cut", "text"]))
    if form == "hostile":
        return draw(st.sampled_from(HOSTILE_YAML if fmt == "yaml" else HOSTILE_TOML_WHATIF))
    if form == "text":
        # Lone surrogates too: text from JSON ("\\ud800") reaches parse_whatif unencoded.
        alphabet = st.characters() | st.characters(categories=["Cs"])
        return draw(st.text(alphabet=alphabet, max_size=200))
    document = draw(whatif_documents())
    try:
        if fmt == "yaml":
            text = yaml.safe_dump(document, allow_unicode=draw(st.booleans()))
        else:
            text = tomli_w.dumps(document)
    except (TypeError, ValueError, yaml.YAMLError):
        text = 'name = "x"\n' if fmt == "toml" else "name: x\n"
    if form == "cut":
        return text[: draw(st.integers(0, len(text)))]
    return text
