#!/usr/bin/env bash
# Install the real ADR tools the test suite checks exports and imports against (log4brains,
# markdownlint-cli and the MADR templates) into a project-local folder, default .tools/node.
# Versions come from tests/tools/package.json and its lock file, so every machine runs the same
# tools. `--prefer-offline` takes packages from npm's cache without asking the registry again,
# which makes a reinstall fast and lets it work offline once the cache holds them.
set -euo pipefail
cd "$(dirname "$0")/.."

dest=${1:-.tools/node}

if ! command -v npm >/dev/null 2>&1; then
    echo "npm is missing: run 'make system-deps' (as root it installs nodejs and npm)." >&2
    exit 1
fi

mkdir -p "$dest"
cp tests/tools/package.json tests/tools/package-lock.json "$dest/"
started=$(date +%s)
(cd "$dest" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
echo "ADR tools installed in $dest ($(($(date +%s) - started)) s)"
