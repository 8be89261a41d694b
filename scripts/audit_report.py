"""Reads pip-audit's JSON report of one lock file and prints what a person needs: each known
vulnerability with its advisory and fixed versions, and every package that was not audited.

Exit 1 when a pinned package has a known vulnerability, when pip-audit failed without a report,
or when nothing at all was audited (a report of only skipped packages proves nothing).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(lock: str, report: str, code: str, errors: str) -> int:
    try:
        data = json.loads(Path(report).read_text() or "null")
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        print(f"audit: {lock}: pip-audit gave no report (exit {code})", file=sys.stderr)
        print(Path(errors).read_text()[-2000:], file=sys.stderr)
        return 1
    found = 0
    audited = 0
    for dep in data.get("dependencies", []):
        if "skip_reason" in dep:
            print(f"audit: {lock}: {dep['name']} not audited: {dep['skip_reason']}")
            continue
        audited += 1
        for vuln in dep.get("vulns", []):
            found += 1
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            print(
                f"audit: {lock}: {dep['name']} {dep['version']}: {vuln['id']} "
                f"(fixed in {fixed}) {vuln.get('description', '')[:200]}",
                file=sys.stderr,
            )
    if audited == 0:
        print(f"audit: {lock}: no package could be audited", file=sys.stderr)
        return 1
    print(f"audit: {lock}: {audited} packages audited, {found} known vulnerabilities")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
