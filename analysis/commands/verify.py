"""``dupitac verify``: not built yet (issue 3)."""

from __future__ import annotations

import sys

HELP = "Rebuild the ARD and compare every published number with it. [not built yet: issue 3]"


def add_arguments(parser) -> None:
    parser.add_argument("rest", nargs="*", help="arguments, once the command exists")


def main(args) -> int:
    print("dupitac verify: not built yet (issue 3).", file=sys.stderr)
    return 3
