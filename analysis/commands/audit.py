"""``dupitac audit``: not built yet (issue 3)."""

from __future__ import annotations

import sys

HELP = "Check the published numbers of a paper against each other. [not built yet: issue 3]"


def add_arguments(parser) -> None:
    parser.add_argument("rest", nargs="*", help="arguments, once the command exists")


def main(args) -> int:
    print("dupitac audit: not built yet (issue 3).", file=sys.stderr)
    return 3
