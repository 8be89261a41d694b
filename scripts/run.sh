#!/usr/bin/env bash
# The main job on the embedded default. Until the server exists: the statement of the example case.
set -euo pipefail
.venv/bin/mahnwerk statement examples/case.json --format text
