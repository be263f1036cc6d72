"""The ``comfort-hub`` command line: one subcommand per module in ``hub.commands``.

Every command shares what is set here: ``-v`` and ``--log-format`` (before or after the
command's name), ``--version``, and errors as one line naming what was wrong (a traceback
only with ``-v``).
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Iterator, Sequence
from typing import NoReturn

from hub._logging import LogFormat, configure_logging
from hub._version import package_version
from hub.commands import COMMANDS
from hub.commands._help import examples_epilog

log = logging.getLogger(__name__)

PROG = "comfort-hub"
# Exit statuses shared by every command: a usage error, an unexpected failure.
USAGE_ERROR, FAILED = 2, 1


class CommandLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, pointing at --help for the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> CommandLineParser:
    parser = CommandLineParser(
        prog=PROG,
        description="Nonverbal comfort signals (slow down, pause, stop) between two wearables.",
        epilog=examples_epilog(
            [
                "comfort-hub demo --duration 25   # try it: two simulated wearers",
                "comfort-hub scan                 # the wearables around",
                "comfort-hub run --config hub.toml",
                "comfort-hub COMMAND --help       # each command's options and examples",
            ]
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    _add_common_options(parser, default=False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(subparsers)
    # Also after the command's name (`comfort-hub run -v`), for every command, including
    # ones registered later: SUPPRESS keeps an absent option from hiding the global one.
    for sub in subcommand_parsers(parser):
        _add_common_options(sub, default=argparse.SUPPRESS)
    return parser


def _add_common_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help="log what the hub does in detail, and show tracebacks",
    )
    parser.add_argument(
        "--log-format",
        choices=[f.value for f in LogFormat],
        default=LogFormat.TEXT.value if default is False else default,
        help="text (default) or json: one JSON object per line, for journald",
    )


def subcommand_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """Every subcommand parser under ``parser``, at any depth (``bench taps`` too)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield sub
                yield from subcommand_parsers(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(verbose=args.verbose, log_format=LogFormat(args.log_format))
    try:
        status: int = args.run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if args.verbose:
            traceback.print_exc()
        hint = "" if args.verbose else " (-v shows where)"
        print(f"{PROG} {args.command}: {one_line(error)}{hint}", file=sys.stderr)
        return FAILED
    return status


def one_line(error: BaseException) -> str:
    """An error as one line: its message (or its kind, when it has none), newlines folded."""
    text = " ".join(str(error).split()) or type(error).__name__
    filename = getattr(error, "filename", None)
    if filename is not None and str(filename) not in text:
        text = f"{filename}: {text}"
    return text


if __name__ == "__main__":
    sys.exit(main())
