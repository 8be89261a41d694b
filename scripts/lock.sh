#!/usr/bin/env bash
# Resolves pinned lock files from pyproject.toml with uv (installed into a throwaway venv).
set -euo pipefail
UVENV="${TMPDIR:-/tmp}/mahnwerk-uv"
[ -x "$UVENV/bin/uv" ] || { python3 -m venv "$UVENV" && "$UVENV/bin/pip" install -q uv; }
UV="$UVENV/bin/uv"
"$UV" pip compile pyproject.toml --python-version 3.11 --no-header --quiet -o requirements.lock
"$UV" pip compile pyproject.toml --extra dev --python-version 3.11 --no-header --quiet -o requirements-dev.lock
