"""The engine is a pure library: it imports no web, database, CLI or cluster stack."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "alliedforge"
ENGINE = ("scenario", "planning", "analysis", "contracting", "whatif", "risk", "interop")
FORBIDDEN = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "typer",
    "rich",
    "dask",
    "distributed",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ENGINE)
def test_engine_imports_no_adapter_stack(package: str) -> None:
    offenders = {
        str(path.relative_to(SRC)): sorted(_imports(path) & set(FORBIDDEN))
        for path in (SRC / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_forbidden_list_catches_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from sqlalchemy import select\nimport fastapi.routing\n")
    assert _imports(sample) & set(FORBIDDEN) == {"sqlalchemy", "fastapi"}
