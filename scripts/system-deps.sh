#!/usr/bin/env bash
# System packages the tests need: Debian's chromium (driven by Playwright, no browser
# download) and PostgreSQL (started per run by pg-start.sh). Installed only when missing,
# and only as root; otherwise the tests that need them say what is missing.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
command -v zbarimg >/dev/null || missing+=(zbar-tools)      # decodes the GiroCode in letter tests
command -v pdftoppm >/dev/null || missing+=(poppler-utils)  # renders letter pages for that
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "missing system packages: ${missing[*]} (install them with apt-get as root)" >&2
  exit 0
fi
echo "installing system packages: ${missing[*]}" >&2
apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
