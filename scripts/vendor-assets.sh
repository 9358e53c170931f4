#!/bin/sh
# Fetches the console's third-party browser files from the npm registry, at
# the versions pinned here, into service/console/static/vendor/, and records
# each file's SHA-256 in VENDORED.md there. The files are committed: the
# service serves them itself, so no page (not even /docs) loads anything from
# a CDN and everything works without internet access.
#
#   sh scripts/vendor-assets.sh          # re-fetch; `git diff` shows any change
#
# To upgrade, change a version below, run it, look at the diff, run the
# browser tests (tests/browser), commit.
set -eu
HTMX=htmx.org@2.0.11
SWAGGER=swagger-ui-dist@5.36.0

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/service/console/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v npm >/dev/null 2>&1 || { echo "error: npm is needed (apt-get install -y npm)" >&2; exit 2; }

fetch() {  # fetch PACKAGE@VERSION: unpack its tarball (npm checks its integrity) into $tmp/NAME
    name=${1%@*}
    mkdir -p "$tmp/$name"
    (cd "$tmp" && npm pack --silent "$1" >"$tmp/$name.tgz.name")
    tar -xzf "$tmp/$(cat "$tmp/$name.tgz.name")" -C "$tmp/$name"
}

fetch "$HTMX"
fetch "$SWAGGER"
mkdir -p "$out"
cp "$tmp/htmx.org/package/dist/htmx.min.js" "$out/htmx.min.js"
cp "$tmp/htmx.org/package/LICENSE" "$out/htmx.LICENSE"
cp "$tmp/swagger-ui-dist/package/swagger-ui-bundle.js" "$out/swagger-ui-bundle.js"
cp "$tmp/swagger-ui-dist/package/swagger-ui.css" "$out/swagger-ui.css"
cp "$tmp/swagger-ui-dist/package/LICENSE" "$out/swagger-ui.LICENSE"

{
    echo "# Vendored browser files"
    echo
    echo "Written by \`sh scripts/vendor-assets.sh\` (do not edit): each file as the npm"
    echo "registry's package has it, and its SHA-256."
    echo
    echo "| file | package | sha256 |"
    echo "| --- | --- | --- |"
    for f in htmx.min.js htmx.LICENSE; do
        echo "| $f | $HTMX | $(sha256sum "$out/$f" | cut -d' ' -f1) |"
    done
    for f in swagger-ui-bundle.js swagger-ui.css swagger-ui.LICENSE; do
        echo "| $f | $SWAGGER | $(sha256sum "$out/$f" | cut -d' ' -f1) |"
    done
} >"$out/VENDORED.md"
echo "wrote $out" >&2
