"""``python -m service.translations update|compile|check``: see
:mod:`service.translations.catalogues`."""

import argparse
import sys

from service.translations import catalogues


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m service.translations",
        description="Extract, merge, compile and check the gettext catalogues.",
    )
    parser.add_argument(
        "action",
        choices=("update", "compile", "check"),
        help="update: code → messages.pot → each messages.po; compile: each .po → .mo; "
        "check: fail on anything stale, untranslated or fuzzy",
    )
    action = parser.parse_args(argv).action
    if action == "check":
        problems = catalogues.check()
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"catalogues: {len(problems)} problem(s)" if problems else "catalogues: ok")
        return 1 if problems else 0
    written = catalogues.update() if action == "update" else catalogues.compile_all()
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("nothing to write: already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
