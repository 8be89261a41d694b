#!/usr/bin/env bash
# Creates the project's virtualenv; on a fresh Debian as root, installs python3-venv first.
set -euo pipefail
PYTHON="${1:-python3}"; VENV="${2:-.venv}"
if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "mahnwerk needs Python 3.11 or newer as '$PYTHON'" >&2; exit 1
fi
if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv >&2
    rm -rf "$VENV"; "$PYTHON" -m venv "$VENV"
  else
    echo "could not create $VENV: install python3-venv (apt-get install python3-venv)" >&2; exit 1
  fi
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade "pip>=24"
