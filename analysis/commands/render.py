"""``dupitac render``: not built yet (issue 7)."""

from __future__ import annotations

import sys

HELP = "Render the manuscripts (HTML, PDF, DOCX) with Quarto or the builtin engine. [not built yet: issue 7]"


def add_arguments(parser) -> None:
    parser.add_argument("rest", nargs="*", help="arguments, once the command exists")


def main(args) -> int:
    print("dupitac render: not built yet (issue 7).", file=sys.stderr)
    return 3
