"""Audit the dependencies for published advisories with pip-audit: the exact versions installed in
the environment the tests run in (`pip freeze`, pinned to the version), not the ranges of
pyproject.toml.

An advisory fails the build unless .ci/audit-allowlist.txt lists its id with a reason (one per
line: `ID  reason`). When the advisory service cannot be reached at all (every package comes back
"not found", as on a machine that reaches only the package index), the audit says so and passes:
it could not look, which is not the same as finding something.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ALLOWLIST = HERE / "audit-allowlist.txt"


def allowlist(text: str) -> dict[str, str]:
    """Advisory id → the reason it is accepted; a line without a reason is an error."""
    accepted = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        vuln, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{ALLOWLIST.name}:{number}: {vuln} needs a reason")
        accepted[vuln] = reason.strip()
    return accepted


def verdict(report: dict[str, object], accepted: dict[str, str]) -> tuple[int, list[str]]:
    """The exit code and the lines to print for a pip-audit JSON report."""
    dependencies = report.get("dependencies", [])
    assert isinstance(dependencies, list)
    audited = [d for d in dependencies if "skip_reason" not in d]
    if dependencies and not audited:
        return 0, [f"audit: the advisory service could not be reached; none of {len(dependencies)} installed "
                   "packages was checked (this machine reaches only the package index)"]
    lines, failed = [], False
    for dep in audited:
        for vuln in dep.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            reason = next((accepted[i] for i in ids if i in accepted), None)
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no release"
            where = f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})"
            if reason:
                lines.append(f"audit: accepted {where}: {reason}")
            else:
                failed = True
                lines.append(f"audit: ADVISORY {where}: upgrade, or list it in {ALLOWLIST.name} with a reason")
    lines.append(f"audit: {len(audited)} of {len(dependencies)} installed packages checked")
    return (1 if failed else 0), lines


def main() -> int:
    accepted = allowlist(ALLOWLIST.read_text(encoding="utf-8") if ALLOWLIST.exists() else "")
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"], capture_output=True,
                            text=True, check=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".txt", prefix="smesearch-pins-") as pins:
        pins.write(frozen)
        pins.flush()
        done = subprocess.run([sys.executable, "-m", "pip_audit", "-r", pins.name, "--no-deps", "--disable-pip",
                               "--progress-spinner", "off", "--format", "json"], capture_output=True, text=True)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        print(done.stderr, file=sys.stderr)
        print("audit: pip-audit gave no report", file=sys.stderr)
        return 1
    code, lines = verdict(report, accepted)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
