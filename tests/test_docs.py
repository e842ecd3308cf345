"""The docs keep up with the code: every CLI command and option is in docs/cli.md."""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

import pytest
import typer

from alliedforge.cli.main import EXIT_INFEASIBLE, EXIT_INVALID, app

from shared_data import REPO

CLI_DOC = REPO / "docs" / "cli.md"
README = REPO / "README.md"


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    """Every command by its path (`plan`, `db`, `db upgrade`), groups and subcommands alike."""
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        found[prefix + name] = command
        if hasattr(command, "commands"):
            found |= _commands(command, f"{prefix}{name} ")
    return found


COMMANDS: dict[str, Any] = _commands(typer.main.get_command(app))


def sections(text: str) -> dict[str, str]:
    """Body of every `## ` or `### ` section, by heading."""
    parts = re.split(r"^#{2,3} (.+)$", text, flags=re.MULTILINE)
    return {heading.strip(): body for heading, body in zip(parts[1::2], parts[2::2], strict=True)}


def section(command: str) -> str:
    found = sections(CLI_DOC.read_text(encoding="utf-8")).get(f"forge {command}")
    assert found is not None, f"docs/cli.md has no section '## forge {command}'"
    return found


def options(command: str) -> list[Any]:
    return [p for p in COMMANDS[command].params if p.param_type_name == "option"]


def flags(param: Any) -> list[str]:
    return [flag for flag in (*param.opts, *param.secondary_opts) if flag.startswith("--")]


def option_row(body: str, flag: str) -> str:
    """The options-table row that starts with `flag`."""
    rows = [line for line in body.splitlines() if line.startswith(f"| `{flag}`")]
    assert len(rows) == 1, f"expected one table row for {flag}, found {len(rows)}"
    return rows[0]


def test_the_app_has_the_commands_the_docs_describe() -> None:
    top_level = {name for name in COMMANDS if " " not in name}
    assert top_level >= {
        "validate",
        "convert",
        "plan",
        "demo",
        "generate",
        "db",
        "import",
        "export",
        "plans",
        "serve",
    }
    headings = sections(CLI_DOC.read_text(encoding="utf-8"))
    documented = {h.removeprefix("forge ") for h in headings if h.startswith("forge ")}
    assert documented == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_option_is_documented_under_its_command(command: str) -> None:
    body = section(command)
    missing = [flag for p in options(command) for flag in flags(p) if f"`{flag}`" not in body]
    assert not missing, f"forge {command}: {missing} not in docs/cli.md"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_argument_is_documented_under_its_command(command: str) -> None:
    body = section(command)
    arguments = [p.name.upper() for p in COMMANDS[command].params if p.param_type_name != "option"]
    missing = [name for name in arguments if f"| `{name}` |" not in body]
    assert not missing, f"forge {command}: arguments {missing} not in docs/cli.md"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_documented_defaults_match_the_code(command: str) -> None:
    body = section(command)
    for param in options(command):
        row = option_row(body, flags(param)[0])
        default = param.default
        if param.required:
            assert "| required |" in row, row
        elif isinstance(default, bool):
            in_effect = flags(param)[0 if default else 1] if param.secondary_opts else None
            word = f"`{in_effect}`" if in_effect else ("on" if default else "off")
            assert f"| {word} |" in row, f"forge {command}: default {word!r} not in {row!r}"
        elif default is not None:
            text = default.value if isinstance(default, Enum) else str(default)
            assert f"| `{text}` |" in row, f"forge {command}: default {text!r} not in {row!r}"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_option_is_documented_that_the_command_lacks(command: str) -> None:
    known = {flag for p in options(command) for flag in flags(p)} | {"--help"}
    documented = set(re.findall(r"^\| `(--[a-z-]+)`", section(command), flags=re.MULTILINE))
    assert documented <= known, f"forge {command}: {documented - known} documented, not real"


def test_exit_codes_are_documented() -> None:
    body = sections(CLI_DOC.read_text(encoding="utf-8"))["Exit codes"]
    rows = {m[0]: m[1] for m in re.findall(r"^\| (\d) \| ([^|]+)", body, flags=re.MULTILINE)}
    assert set(rows) == {"0", "1", "2", "3"}
    assert rows[str(EXIT_INVALID)].startswith("invalid scenario")
    assert rows[str(EXIT_INFEASIBLE)].startswith("infeasible plan")


def test_reference_is_plain_markdown() -> None:
    text = CLI_DOC.read_text(encoding="utf-8")
    assert not set(text) & set("╭╮╰╯│─┌┐└┘├┤"), "box drawing copied from --help"


def test_readme_names_the_two_commands_that_matter() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text
    assert "make test" in text


def test_readme_links_the_cli_reference() -> None:
    assert "docs/cli.md" in README.read_text(encoding="utf-8")
