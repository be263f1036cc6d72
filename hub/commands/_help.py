"""What every subcommand's ``--help`` shows: a description and worked examples.

Commands register through :func:`add_command` so that the examples are not optional: a
test walks every registered command (and sub-command) and fails on one without them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

# The heading the examples sit under in --help; the test looks for it.
EXAMPLES_HEADING = "examples:"


def examples_epilog(examples: Sequence[str]) -> str:
    """An epilog listing ``examples``: each a command line, optionally ``  # what it does``."""
    if not examples:
        raise ValueError("a command needs at least one example")
    return "\n".join([EXAMPLES_HEADING, *(f"  {line}" for line in examples)])


def add_command(
    subparsers: argparse._SubParsersAction[Any],
    name: str,
    *,
    help: str,
    description: str,
    examples: Sequence[str],
) -> argparse.ArgumentParser:
    """A subcommand parser whose --help ends with ``examples``, kept as written."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=help,
        description=description,
        epilog=examples_epilog(examples),
        # argparse re-wraps every text into one paragraph; examples must stay one per line.
        formatter_class=_DescriptionWrappedEpilogKept,
    )
    return parser


class _DescriptionWrappedEpilogKept(argparse.HelpFormatter):
    """Wraps the description like argparse always does, but keeps the epilog's lines."""

    def add_text(self, text: str | None) -> None:
        if text is not None and text.startswith(EXAMPLES_HEADING):
            self._add_item(lambda: text + "\n", [])
        else:
            super().add_text(text)
