"""``dupitac run``: not built yet (issue 4)."""

from __future__ import annotations

import sys

HELP = "Run a study's analyses on a dataset and write its ARD (Parquet + CSV). [not built yet: issue 4]"


def add_arguments(parser) -> None:
    parser.add_argument("rest", nargs="*", help="arguments, once the command exists")


def main(args) -> int:
    print("dupitac run: not built yet (issue 4).", file=sys.stderr)
    return 3
