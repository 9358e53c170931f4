#!/bin/sh
# Non-blocking look ahead: installs the newest versions pyproject.toml allows
# (ignoring the lock) into a throw-away environment, runs the test suite there,
# and lists which packages differ from the lock. CI does not run it; a failure
# here says what to fix or bound before the next `sh scripts/lock.sh --upgrade`.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv" || exit 2
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade \
    --editable "$root[test]" || exit 2
echo "== packages newer than requirements/lock.txt"
"$tmp/venv/bin/python" - "$root/requirements/lock.txt" <<'PY'
import re, sys
from importlib.metadata import distributions

pinned = {}
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"([A-Za-z0-9_.\-]+)==([^ ;]+)", line)
    if m:
        pinned.setdefault(m[1].lower().replace("_", "-"), set()).add(m[2])
for dist in sorted(distributions(), key=lambda d: d.metadata["Name"].lower()):
    name = dist.metadata["Name"].lower().replace("_", "-")
    if name in pinned and dist.version not in pinned[name]:
        print(f"  {name}: lock {'/'.join(sorted(pinned[name]))} -> {dist.version}")
PY
echo "== test suite on the newest versions"
cd "$root" && "$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider
status=$?
[ $status -eq 0 ] && echo "newest versions pass" || echo "newest versions FAIL (exit $status): see above"
exit $status
