"""``dupitac synthesize``: not built yet (issue 6)."""

from __future__ import annotations

import sys

HELP = "Make a synthetic cohort calibrated to a paper's published aggregates. [not built yet: issue 6]"


def add_arguments(parser) -> None:
    parser.add_argument("rest", nargs="*", help="arguments, once the command exists")


def main(args) -> int:
    print("dupitac synthesize: not built yet (issue 6).", file=sys.stderr)
    return 3
