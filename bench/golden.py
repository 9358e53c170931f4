"""``python -m bench.golden record|check [--quick]``: every output kept.

Runs the ``peermatch`` commands that make documents (``match``, ``circles``,
``exchanges``, ``map``, ``recommend``; JSON, and the tables people read) on
the demo network and on generated networks of 1,000 and 10,000 members saved
in ``bench/golden/`` (saved, not regenerated: the generator may change), and
records or compares the SHA-256 of each output in ``bench/golden/hashes.json``.
A refactor that keeps behaviour leaves ``check`` silent; a change made on
purpose is recorded again and named in its commit. ``--quick`` skips the
10,000-member network (``tests/test_golden.py`` runs that part).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent / "golden"
HASHES = HERE / "hashes.json"
NETWORKS = {
    "demo": None,
    "net1000": HERE / "net1000.json.gz",
    "net10000": HERE / "net10000.json.gz",
}
MEMBERS = {"demo": "ke-coalition", "net1000": None, "net10000": None}

JSON_COMMANDS = {
    "match": ["match", "{net}", "--format", "json"],
    "match-stable": ["match", "{net}", "--format", "json", "--objective", "stable", "--seed", "1"],
    "match-bonus": [
        "match",
        "{net}",
        "--format",
        "json",
        "--south-south-bonus",
        "0.4",
        "--seed",
        "3",
    ],
    "circles": ["circles", "{net}", "--format", "json", "--seed", "1"],
    "exchanges": ["exchanges", "{net}", "--format", "json"],
    "map": ["map", "{net}", "--format", "json"],
    "map-north-south": ["map", "{net}", "--format", "json", "--by", "north_south"],
    "map-kind-fr": ["map", "{net}", "--format", "json", "--by", "kind", "--lang", "fr"],
    "recommend": ["recommend", "{net}", "--member", "{member}", "--json", "-k", "10"],
    "recommend-mentees": [
        "recommend",
        "{net}",
        "--member",
        "{member}",
        "--json",
        "--direction",
        "mentees",
    ],
    "recommend-exchanges": [
        "recommend",
        "{net}",
        "--member",
        "{member}",
        "--json",
        "--direction",
        "exchanges",
    ],
}
TABLE_COMMANDS = {
    "match-table": ["match", "{net}"],
    "circles-table-ar": ["circles", "{net}", "--seed", "1", "--lang", "ar"],
    "exchanges-table": ["exchanges", "{net}"],
    "map-table-fr": ["map", "{net}", "--lang", "fr"],
    "recommend-table-es": ["recommend", "{net}", "--member", "{member}", "--lang", "es"],
}
"""Tables and labels may change on purpose (translations); JSON numbers never."""


def _network_file(name: str, tmp: Path) -> str:
    if NETWORKS[name] is None:
        from fixtures import demo_network_path

        return str(demo_network_path())
    path = tmp / f"{name}.json"
    path.write_bytes(gzip.decompress(NETWORKS[name].read_bytes()))
    return str(path)


def _first_member(path: str) -> str:
    return min(m["id"] for m in json.loads(Path(path).read_text(encoding="utf-8"))["members"])


def outputs(names: list[str], keep: Path | None = None) -> dict[str, str]:
    """``network/command`` → SHA-256 of what ``peermatch`` printed (and the
    outputs themselves in ``keep``, to diff a change)."""
    from typer.testing import CliRunner

    from service.cli import app

    runner = CliRunner()
    found: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            net = _network_file(name, Path(tmp))
            member = MEMBERS[name] or _first_member(net)
            for label, args in {**JSON_COMMANDS, **TABLE_COMMANDS}.items():
                argv = [a.format(net=net, member=member) for a in args]
                done = runner.invoke(app, argv, catch_exceptions=False)
                assert done.exit_code == 0, (argv, done.stderr)
                found[f"{name}/{label}"] = hashlib.sha256(done.stdout_bytes).hexdigest()
                if keep is not None:
                    (keep / f"{name}--{label}.out").write_bytes(done.stdout_bytes)
    return found


def compare(found: dict[str, str], recorded: dict[str, str]) -> list[str]:
    return [key for key, digest in found.items() if recorded.get(key) != digest]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.golden")
    parser.add_argument("action", choices=("record", "check"))
    parser.add_argument("--quick", action="store_true", help="skip the 10,000-member network")
    parser.add_argument("--keep", type=Path, help="also write every output to this folder")
    args = parser.parse_args(argv)
    names = [n for n in NETWORKS if not (args.quick and n == "net10000")]
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    found = outputs(names, args.keep)
    if args.action == "record":
        recorded = json.loads(HASHES.read_text()) if HASHES.exists() else {}
        HASHES.write_text(json.dumps({**recorded, **found}, indent=1, sort_keys=True) + "\n")
        print(f"recorded {len(found)} outputs in {HASHES}")
        return 0
    changed = compare(found, json.loads(HASHES.read_text()))
    for key in changed:
        print(f"changed: {key}")
    print(f"{len(found) - len(changed)} of {len(found)} outputs byte-identical")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
