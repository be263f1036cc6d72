"""The ``comfort-hub`` command line: one subcommand per module in ``hub.commands``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from hub.commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="comfort-hub",
        description="Nonverbal comfort signals (slow down, pause, stop) between two wearables.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.run(args)
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
