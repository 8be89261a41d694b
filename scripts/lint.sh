#!/usr/bin/env bash
# Static checks: ruff, mypy (strict for the domain), and the import contracts of DESIGN.md.
set -euo pipefail
BIN=.venv/bin
$BIN/ruff check src tests bench
$BIN/mypy
$BIN/lint-imports
