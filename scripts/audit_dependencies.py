"""Audit the installed dependencies for known vulnerabilities with pip-audit, and say
honestly how many it could check.

pip-audit asks PyPI's JSON API (`/pypi/NAME/VERSION/json`) or OSV about each installed
distribution; where neither answers, it skips the distribution and still reports "No
known vulnerabilities found". This script counts the skipped ones and fails unless every
dependency was checked, so a silent non-audit is never taken for a clean one.

Run: `.venv/bin/python scripts/audit_dependencies.py [--service pypi|osv]` (needs
`pip install pip-audit`). Exit 0: all audited, none vulnerable; 1: vulnerabilities
found; 2: some or all dependencies could not be audited (the reason is printed).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# Installed from this checkout, so no vulnerability database knows them.
OWN = frozenset({"alliedforge"})


def audit(service: str) -> dict[str, Any]:
    """pip-audit's JSON report of the environment this Python runs in."""
    beside = Path(sys.executable).with_name("pip-audit")
    tool = str(beside) if beside.exists() else shutil.which("pip-audit")
    if tool is None:
        sys.exit("pip-audit is not installed: pip install pip-audit")
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
            print(done.stderr.strip().splitlines()[-1] if done.stderr else "no report")
            sys.exit(2)
        result: dict[str, Any] = json.loads(report.read_text())
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", choices=("pypi", "osv"), default="pypi")
    args = parser.parse_args()
    dependencies = [d for d in audit(args.service)["dependencies"] if d["name"] not in OWN]
    skipped = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    for dependency in vulnerable:
        for vulnerability in dependency["vulns"]:
            fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fix yet"
            print(f"{dependency['name']} {dependency['version']}: {vulnerability['id']} "
                  f"(fixed in {fixed})")  # fmt: skip
    audited = len(dependencies) - len(skipped)
    print(f"{audited} of {len(dependencies)} dependencies audited against {args.service}; "
          f"{len(vulnerable)} with known vulnerabilities.")  # fmt: skip
    if skipped:
        reasons = sorted({d["skip_reason"].split(":")[0] for d in skipped})
        print(f"Not audited ({len(skipped)}): {'; '.join(reasons)}.")
        sys.exit(2)
    sys.exit(1 if vulnerable else 0)


if __name__ == "__main__":
    main()
