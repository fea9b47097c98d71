#!/usr/bin/env bash
# Install what the operating system must provide, when missing and when we may (root + apt):
# CJK fonts for the PDF sheets, Pango for WeasyPrint, PostgreSQL 15 for the test suite,
# Debian's Chromium for the browser tests (Playwright drives it by path: no browser download),
# poppler-utils, whose pdftoppm turns a rendered sheet into a PNG for the tests, and Redis, for
# the job tests' second pass on the Redis queue.
# Usage: scripts/system-packages.sh [fonts] [postgres] [chromium] [pdftools] [redis]
#
# - Nothing missing: installs nothing, runs no `apt-get update`, exits 0 (safe to run every time).
# - Root with apt-get: `apt-get update` once, then installs exactly the missing packages.
# - Not root (or no apt-get): installs nothing and prints the command to run. Missing fonts are
#   a warning (exit 0: `make demo` runs without them). Missing `postgres`, `chromium`,
#   `pdftools` or `redis` packages are an error (exit 1): only `make test` and `make test-browser` ask for
#   them, and neither can pass without them, so they stop here instead of failing minutes later.
set -euo pipefail

want=("$@")
[ ${#want[@]} -eq 0 ] && want=(fonts)

# Installed according to dpkg. The status is read into a variable and matched there: no pipeline
# into `grep -q`, whose early exit would make the writer die of SIGPIPE (141) under pipefail and
# report an installed package as missing. `hold ok installed` counts; one line per architecture.
dpkg_installed() {
  local status
  command -v dpkg-query >/dev/null 2>&1 || return 1
  status=$(dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null) || return 1
  grep -qx '[a-z]* ok installed' <<<"$status"
}

# Installed according to dpkg, or found by the test that follows the package name (files can be
# there without the package, e.g. in a container image).
has() {
  local package=$1
  shift
  dpkg_installed "$package" && return 0
  "$@" >/dev/null 2>&1
}

font_present() { grep -qi "Noto Sans CJK" <<<"$(fc-list 2>/dev/null || true)"; }
library_present() { grep -q "$1" <<<"$(ldconfig -p 2>/dev/null || true)"; }

missing=()
required=()
for item in "${want[@]}"; do
  case "$item" in
    fonts)
      has fonts-noto-cjk font_present || missing+=(fonts-noto-cjk)
      has fontconfig command -v fc-list || missing+=(fontconfig)
      has libpango-1.0-0 library_present libpango-1.0 || missing+=(libpango-1.0-0)
      has libpangoft2-1.0-0 library_present libpangoft2-1.0 || missing+=(libpangoft2-1.0-0)
      ;;
    postgres)
      # scripts/with-postgres.sh runs $PGBIN (default /usr/lib/postgresql/15/bin).
      if ! has postgresql-15 test -x "${PGBIN:-/usr/lib/postgresql/15/bin}/initdb"; then
        missing+=(postgresql-15)
        required+=(postgresql-15)
      fi
      ;;
    chromium)
      # tests/browser uses $HRAPP_CHROMIUM, else /usr/bin/chromium.
      if ! has chromium test -x "${HRAPP_CHROMIUM:-/usr/bin/chromium}"; then
        missing+=(chromium)
        required+=(chromium)
      fi
      ;;
    pdftools)
      # The sheet tests run $HRAPP_PDFTOPPM, else pdftoppm on $PATH.
      if ! has poppler-utils command -v "${HRAPP_PDFTOPPM:-pdftoppm}"; then
        missing+=(poppler-utils)
        required+=(poppler-utils)
      fi
      ;;
    redis)
      # scripts/with-redis.sh runs $HRAPP_REDIS_SERVER, else redis-server on $PATH.
      if ! has redis-server command -v "${HRAPP_REDIS_SERVER:-redis-server}"; then
        missing+=(redis-server)
        required+=(redis-server)
      fi
      ;;
    *)
      echo "Unknown group '$item' (groups: fonts postgres chromium pdftools redis)" >&2
      exit 2
      ;;
  esac
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${missing[*]}"
  echo "Install them as root (Debian/Ubuntu):"
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  if [ ${#required[@]} -gt 0 ]; then
    echo "The tests cannot run without: ${required[*]}" >&2
    exit 1
  fi
  exit 0
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
