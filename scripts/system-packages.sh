#!/usr/bin/env bash
# Install what the operating system must provide, when missing and when we may (root + apt):
# CJK fonts for the PDF sheets, Pango for WeasyPrint, PostgreSQL 15 for the test suite, and
# Debian's Chromium for the browser tests (Playwright drives it by path: no browser download).
# Usage: scripts/system-packages.sh [fonts] [postgres] [chromium]
set -euo pipefail

want=("$@")
[ ${#want[@]} -eq 0 ] && want=(fonts)

# Installed according to dpkg, or found by the test that follows the package name (files
# can be there without the package, e.g. in a container image). No pipelines into `grep -q`:
# with pipefail, a writer cut short by grep's early exit (141) would report a package missing.
has() {
  local package=$1
  shift
  if command -v dpkg-query >/dev/null \
    && [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" = "install ok installed" ]; then
    return 0
  fi
  "$@" >/dev/null 2>&1
}

font_present() { grep -qi "Noto Sans CJK" <<<"$(fc-list 2>/dev/null || true)"; }
library_present() { grep -q "$1" <<<"$(ldconfig -p 2>/dev/null || true)"; }

missing=()
for item in "${want[@]}"; do
  case "$item" in
    fonts)
      has fonts-noto-cjk font_present || missing+=(fonts-noto-cjk)
      has fontconfig command -v fc-list || missing+=(fontconfig)
      has libpango-1.0-0 library_present libpango-1.0 || missing+=(libpango-1.0-0)
      has libpangoft2-1.0-0 library_present libpangoft2-1.0 || missing+=(libpangoft2-1.0-0)
      ;;
    postgres)
      [ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
      ;;
    chromium)
      # tests/browser looks for /usr/bin/chromium (or $HRAPP_CHROMIUM).
      has chromium test -x /usr/bin/chromium || missing+=(chromium)
      ;;
    *)
      echo "Unknown group '$item' (groups: fonts postgres chromium)" >&2
      exit 2
      ;;
  esac
done

[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "Please install these system packages first: ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
