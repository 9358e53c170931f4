#!/bin/sh
# Refreshes requirements/lock.txt, the pinned versions every install uses,
# from the ranges in pyproject.toml: one resolution that holds on CPython
# 3.11 and newer, on Linux and macOS (uv's universal mode writes markers where
# versions differ). Existing pins are kept unless asked otherwise:
#
#   sh scripts/lock.sh              # add what pyproject.toml newly needs
#   sh scripts/lock.sh --upgrade    # take the newest versions allowed
#
# Then run the tests (sh scripts/venv.sh test python -m pytest) before committing.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/uv"
"$tmp/uv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
cd "$root"
"$tmp/uv/bin/uv" pip compile pyproject.toml --all-extras --universal --python-version 3.11 \
    --custom-compile-command "sh scripts/lock.sh" --quiet -o requirements/lock.txt "$@"
echo "wrote requirements/lock.txt" >&2
