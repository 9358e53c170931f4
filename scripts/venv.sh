#!/bin/sh
# Runs a command inside the project's virtual environment, creating it or
# bringing it up to date from the committed lock first.
#
#   sh scripts/venv.sh EXTRAS COMMAND [ARG...]
#
# EXTRAS is `base` (the service alone) or a comma-separated list of the extras
# in pyproject.toml (`test`, `postgres`, `notebooks`, `bench`).
# The environment lives in $PEERMATCH_VENV (default: .venv in the clone) and is
# built with $PYTHON (default: python3, 3.11 or newer). Every package is pinned
# by requirements/lock.txt, so a new machine installs what the tests passed
# with; a virtual environment also works where the system Python refuses
# `pip install` (PEP 668). It is reinstalled only when the lock, pyproject.toml
# or the extras change.
set -eu

if [ $# -lt 2 ]; then
    echo "usage: sh scripts/venv.sh base|EXTRA[,EXTRA...] COMMAND [ARG...]" >&2
    exit 2
fi
extras=$1
shift

root=$(cd "$(dirname "$0")/.." && pwd)
venv=${PEERMATCH_VENV:-$root/.venv}
python=${PYTHON:-python3}
lock=$root/requirements/lock.txt

if ! command -v "$python" >/dev/null 2>&1; then
    echo "error: $python not found; install Python 3.11 or newer, or set PYTHON=/path/to/python3.11" >&2
    exit 2
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: $python is $("$python" -V 2>&1); peermatch needs Python 3.11 or newer (set PYTHON=...)" >&2
    exit 2
fi

if [ ! -x "$venv/bin/python" ]; then
    if ! "$python" -m venv "$venv"; then
        echo "error: could not create a virtual environment in $venv;" \
             "on Debian or Ubuntu install the venv module first: sudo apt install python3-venv" >&2
        exit 2
    fi
fi

case $extras in
    base) target="$root" ;;
    *) target="$root[$extras]" ;;
esac
stamp="$venv/.peermatch-$(echo "$extras" | tr ',' '-')"
digest=$("$venv/bin/python" - "$lock" "$root/pyproject.toml" <<'PY'
import hashlib, sys
h = hashlib.sha256()
for name in sys.argv[1:]:
    with open(name, "rb") as f:
        h.update(f.read())
print(h.hexdigest())
PY
)
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
    echo "installing peermatch [$extras] into $venv from requirements/lock.txt ..." >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --constraint "$lock" --editable "$target" >&2
    echo "$digest" > "$stamp"
fi

PATH="$venv/bin:$PATH" VIRTUAL_ENV="$venv" exec "$@"
