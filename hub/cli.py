"""The ``comfort-hub`` command line: one subcommand per module in ``hub.commands``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from hub.commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="comfort-hub",
        description="Nonverbal comfort signals (slow down, pause, stop) between two wearables.",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log what the hub does in detail"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    try:
        status: int = args.run(args)
    except KeyboardInterrupt:
        return 130
    return status


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        # The embedded broker's own chatter (sessions, queues at shutdown) is not the user's.
        logging.getLogger("amqtt").setLevel(logging.ERROR)
        logging.getLogger("transitions").setLevel(logging.ERROR)


if __name__ == "__main__":
    sys.exit(main())
