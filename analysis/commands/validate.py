"""``dupitac validate``: not built yet (issue 2)."""

from __future__ import annotations

import sys

HELP = "Check a dataset against the data contract (exit 0 valid, 2 invalid). [not built yet: issue 2]"


def add_arguments(parser) -> None:
    parser.add_argument("rest", nargs="*", help="arguments, once the command exists")


def main(args) -> int:
    print("dupitac validate: not built yet (issue 2).", file=sys.stderr)
    return 3
