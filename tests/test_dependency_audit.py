"""The dependency audit's report (scripts/audit_report.py) fails on a known vulnerability and
on a report that audited nothing, and passes a clean one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPORT = Path(__file__).parents[1] / "scripts" / "audit_report.py"


def judge(tmp_path, dependencies) -> subprocess.CompletedProcess[str]:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"dependencies": dependencies, "fixes": []}))
    errors = tmp_path / "err"
    errors.write_text("")
    return subprocess.run(
        [sys.executable, str(REPORT), "requirements.lock", str(report), "1", str(errors)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_known_vulnerability_fails_and_is_named(tmp_path):
    vuln = {"id": "GHSA-xxxx", "fix_versions": ["2.32.0"], "aliases": [], "description": "leak"}
    result = judge(
        tmp_path,
        [
            {"name": "requests", "version": "2.31.0", "vulns": [vuln]},
            {"name": "six", "version": "1.17.0", "vulns": []},
        ],
    )
    assert result.returncode == 1
    assert "requests 2.31.0: GHSA-xxxx (fixed in 2.32.0)" in result.stderr


def test_a_clean_report_passes(tmp_path):
    result = judge(tmp_path, [{"name": "six", "version": "1.17.0", "vulns": []}])
    assert result.returncode == 0 and "1 packages audited, 0 known" in result.stdout


def test_a_report_that_audited_nothing_fails(tmp_path):
    result = judge(tmp_path, [{"name": "six", "skip_reason": "Dependency not found on PyPI"}])
    assert result.returncode == 1 and "no package could be audited" in result.stderr
