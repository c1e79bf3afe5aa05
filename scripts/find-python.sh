#!/usr/bin/env bash
# Print the path of a Python 3.12 or newer interpreter, or explain why there is none.
# Order: $PYTHON if given, python3.13 / python3.12 on PATH, then pyenv's installed versions.
set -u

is_recent() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

if [ -n "${PYTHON:-}" ]; then
    if is_recent "$PYTHON"; then
        command -v "$PYTHON" || echo "$PYTHON"
        exit 0
    fi
    echo "PYTHON=$PYTHON is not a Python 3.12 or newer interpreter." >&2
    exit 1
fi

for name in python3.14 python3.13 python3.12; do
    if path=$(command -v "$name" 2>/dev/null) && is_recent "$path"; then
        echo "$path"
        exit 0
    fi
done

pyenv_root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
if [ -d "$pyenv_root/versions" ]; then
    # Newest first; only plain CPython versions such as 3.13.0.
    for dir in $(ls -1 "$pyenv_root/versions" | grep -E '^3\.[0-9]+\.[0-9]+$' | sort -t. -k1,1nr -k2,2nr -k3,3nr); do
        candidate="$pyenv_root/versions/$dir/bin/python3"
        if [ -x "$candidate" ] && is_recent "$candidate"; then
            echo "$candidate"
            exit 0
        fi
    done
fi

echo "Crossroads needs Python 3.12 or newer and none was found (tried \$PYTHON, python3.13, python3.12 and pyenv)." >&2
echo "Install one (for example 'pyenv install 3.12') or run: make run PYTHON=/path/to/python3.12" >&2
exit 1
