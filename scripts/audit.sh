#!/usr/bin/env bash
# Dependency audit (issue 20): pip-audit checks every pinned package of requirements.lock and
# requirements-dev.lock against the OSV advisory database (PyPI's own advisories and GitHub's).
# A known vulnerability fails the check and names the package, the advisory and the fixed
# version. Where the advisory service cannot be reached (a machine that reaches only package
# registries), the check says so and passes; MAHNWERK_REQUIRE_AUDIT=1 makes that a failure.
# pip-audit lives in its own venv (.venv-tools), so its dependencies never mix with ours.
set -uo pipefail
cd "$(dirname "$0")/.."
TOOLS="${MAHNWERK_TOOLS_VENV:-.venv-tools}"
PIP_AUDIT_VERSION=2.10.1
unreachable() {
    echo "audit: $1 – dependencies NOT audited" >&2
    [ "${MAHNWERK_REQUIRE_AUDIT:-0}" = 1 ] && exit 1
    exit 0
}
if ! "$TOOLS/bin/pip-audit" --version 2>/dev/null | grep -q "$PIP_AUDIT_VERSION"; then
    { python3 -m venv "$TOOLS" \
        && "$TOOLS/bin/pip" install -q --disable-pip-version-check "pip-audit==$PIP_AUDIT_VERSION"
    } >/dev/null 2>&1 || unreachable "pip-audit $PIP_AUDIT_VERSION could not be installed"
fi
status=0
for lock in requirements.lock requirements-dev.lock; do
    out="$(mktemp)"
    "$TOOLS/bin/pip-audit" --vulnerability-service osv --no-deps --disable-pip --progress-spinner off \
        --format json -r "$lock" >"$out" 2>"$out.err"
    code=$?
    if grep -qE "ConnectionError|NameResolution|Max retries|timed out" "$out.err"; then
        rm -f "$out" "$out.err"
        unreachable "the OSV advisory service is not reachable from this machine"
    fi
    .venv/bin/python scripts/audit_report.py "$lock" "$out" "$code" "$out.err" || status=1
    rm -f "$out" "$out.err"
done
exit $status
