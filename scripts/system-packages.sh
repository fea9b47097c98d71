#!/usr/bin/env bash
# Install what the operating system must provide, when missing and when we may (root + apt):
# CJK fonts for the PDF sheets, Pango for WeasyPrint, PostgreSQL 15 for the test suite.
# Usage: scripts/system-packages.sh [fonts] [postgres] [chromium]
set -euo pipefail

want=("$@")
[ ${#want[@]} -eq 0 ] && want=(fonts)

missing=()
for item in "${want[@]}"; do
  case "$item" in
    fonts)
      fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk fontconfig)
      ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
      ;;
    postgres)
      [ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
      ;;
    chromium)
      command -v chromium >/dev/null || missing+=(chromium chromium-driver)
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
