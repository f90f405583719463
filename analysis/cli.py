"""``dupitac`` command line: validate | run | verify | audit | synthesize | render.

Each subcommand lives in ``analysis.commands.<name>`` with ``HELP``,
``add_arguments(parser)`` and ``main(args) -> int``. Errors the user can act on
(:class:`analysis.errors.DupitacError`) become a clean message and exit status 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from analysis import __version__
from analysis.errors import DupitacError, InputError

COMMANDS = ("validate", "run", "verify", "audit", "synthesize", "render")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dupitac",
        description="Rebuild Ferrucci 2022 and Matsutani 2021 from patient-level data.",
    )
    parser.add_argument("--version", action="version", version=f"dupitac {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"analysis.commands.{name}")
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def report_error(err: DupitacError) -> None:
    if isinstance(err, InputError):
        print(f"dupitac: {err.summary}", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
    else:
        print(f"dupitac: {err}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args._module.main(args) or 0)
    except DupitacError as err:
        report_error(err)
        return err.exit_code
    except KeyboardInterrupt:
        print("dupitac: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
