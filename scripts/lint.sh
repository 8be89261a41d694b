#!/usr/bin/env bash
# Static checks: ruff (lint and format), mypy (strict for the domain), import contracts, and
# the dependency audit (scripts/audit.sh).
set -euo pipefail
BIN=.venv/bin
$BIN/ruff check src tests bench
$BIN/ruff format --check src tests bench
$BIN/mypy
$BIN/lint-imports
bash scripts/audit.sh
