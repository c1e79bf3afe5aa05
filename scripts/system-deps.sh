#!/usr/bin/env bash
# Make sure the system programs the app and its test suite need are present:
# Chromium (browser tests), the PostgreSQL server (the second database run), Pango and
# fonts (WeasyPrint's PDFs: DejaVu for Latin, Cyrillic and Greek, Noto CJK for Chinese,
# Japanese and Korean, Noto Color Emoji for emoji), poppler-utils (reading those PDFs
# back in tests), and the real ADR tools the exports are checked against: adr-tools (`adr`),
# Node.js and npm (log4brains and markdownlint, installed by `make tools`) and Graphviz
# (`dot`, which reads the graphs `adr generate graph` writes).
# As root, missing packages are installed with apt-get; otherwise the exact command is printed.
set -eu

PG_BIN_DEFAULT=/usr/lib/postgresql/15/bin
missing=()

command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing+=(postgresql)
fi
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing+=(libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "Noto Color Emoji" || missing+=(fonts-noto-color-emoji)
command -v adr >/dev/null 2>&1 || missing+=(adr-tools)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v dot >/dev/null 2>&1 || missing+=(graphviz)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    echo "Installing missing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    exit 0
fi

echo "Missing system packages: ${missing[*]}" >&2
echo "Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
exit 1
