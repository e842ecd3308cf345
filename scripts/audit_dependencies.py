"""Audit the installed dependencies for known vulnerabilities, and say honestly how many
could be checked.

Two ways, because what answers depends on the network:

- `registry` (default, needs nothing installed): PyPI's project document
  (`/pypi/NAME/json`) lists the known vulnerabilities (from the Python Packaging Advisory
  Database and OSV) of a project's *newest* release. A dependency installed at its newest
  release is audited by it; one installed at an older release is reported as not audited,
  with the newest release, since that document says nothing of older ones.
- `pypi` or `osv`: `pip-audit --local` (`pip install pip-audit`), which asks PyPI's
  per-release document (`/pypi/NAME/VERSION/json`) or OSV about every release; where
  neither answers it skips the dependency and still says "No known vulnerabilities
  found", so the skipped ones are counted here.

Run: `.venv/bin/python scripts/audit_dependencies.py [--service registry|pypi|osv]`.
Exit 0: every dependency audited, none vulnerable; 1: a known vulnerability; 2: some
could not be audited (listed, with why).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

# Installed from this checkout, so no vulnerability database knows them.
OWN = frozenset({"alliedforge"})
REGISTRY = "https://pypi.org/pypi"


@dataclass(frozen=True)
class Finding:
    """One dependency's audit: its known vulnerabilities, or why it was not audited."""

    name: str
    version: str
    vulnerabilities: list[str] = field(default_factory=list)  # "ID (fixed in …)"
    not_audited: str | None = None


def _normalised(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def installed() -> dict[str, str]:
    """The distributions of the running environment by normalised name, ours left out."""
    found = {_normalised(d.metadata["Name"]): d.version for d in metadata.distributions()}
    return {name: version for name, version in sorted(found.items()) if name not in OWN}


def _from_registry(registry: str, name: str, version: str) -> Finding:
    try:
        with urllib.request.urlopen(f"{registry}/{name}/json", timeout=60) as answer:
            document: dict[str, Any] = json.load(answer)
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        return Finding(name, version, not_audited=f"registry: {error}")
    newest = document["info"]["version"]
    if newest != version:
        return Finding(name, version, not_audited=f"installed {version}, newest {newest}")
    vulnerabilities = [
        f"{entry['id']} (fixed in {', '.join(entry.get('fixed_in') or []) or 'no release'})"
        for entry in document.get("vulnerabilities") or []
        if not entry.get("withdrawn")
    ]
    return Finding(name, version, vulnerabilities)


def audit_registry(registry: str) -> list[Finding]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda pair: _from_registry(registry, *pair), installed().items()))


def audit_pip_audit(service: str) -> list[Finding]:
    beside = Path(sys.executable).with_name("pip-audit")
    tool = str(beside) if beside.exists() else shutil.which("pip-audit")
    if tool is None:
        sys.exit("pip-audit is not installed: pip install pip-audit, or use --service registry")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        options = ["--local", "--vulnerability-service", service, "--progress-spinner", "off"]
        done = subprocess.run(
            [tool, *options, "--format", "json", "--output", str(report)],
            capture_output=True,
            text=True,
            check=False,
        )
        if not report.exists():
            sys.exit(done.stderr.strip().splitlines()[-1] if done.stderr else "no report")
        dependencies = json.loads(report.read_text())["dependencies"]
    return [
        Finding(
            dependency["name"],
            dependency.get("version", "?"),
            [
                f"{v['id']} (fixed in {', '.join(v.get('fix_versions', [])) or 'no release'})"
                for v in dependency.get("vulns", [])
            ],
            dependency.get("skip_reason"),
        )
        for dependency in dependencies
        if _normalised(dependency["name"]) not in OWN
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", choices=("registry", "pypi", "osv"), default="registry")
    parser.add_argument("--registry", default=REGISTRY, help="PyPI JSON API base (registry)")
    args = parser.parse_args()
    if args.service == "registry":
        findings = audit_registry(args.registry)
    else:
        findings = audit_pip_audit(args.service)
    vulnerable = [finding for finding in findings if finding.vulnerabilities]
    skipped = [finding for finding in findings if finding.not_audited]
    for finding in vulnerable:
        for vulnerability in finding.vulnerabilities:
            print(f"VULNERABLE {finding.name} {finding.version}: {vulnerability}")
    for finding in skipped:
        print(f"not audited {finding.name} {finding.version}: {finding.not_audited}")
    audited = len(findings) - len(skipped)
    print(
        f"{audited} of {len(findings)} dependencies audited ({args.service}); "
        f"{len(vulnerable)} with known vulnerabilities, {len(skipped)} not audited."
    )
    sys.exit(1 if vulnerable else 2 if skipped else 0)


if __name__ == "__main__":
    main()
