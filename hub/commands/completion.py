"""``comfort-hub completion SHELL``: a tab-completion script for the shells shtab knows."""

from __future__ import annotations

import argparse
from typing import Any

import shtab

from hub.commands._help import add_command


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "completion",
        help="print a shell completion script",
        description=(
            "Prints a script that completes comfort-hub's commands and options when you "
            "press Tab. Install it once where your shell looks for completions."
        ),
        examples=[
            "comfort-hub completion bash > ~/.local/share/bash-completion/completions/comfort-hub",
            'comfort-hub completion zsh > "${fpath[1]}/_comfort-hub"',
            'eval "$(comfort-hub completion bash)"   # this shell only',
        ],
    )
    parser.add_argument(
        "shell",
        choices=shtab.SUPPORTED_SHELLS,
        metavar="SHELL",
        help=", ".join(shtab.SUPPORTED_SHELLS),
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Built here, not imported at the top: the CLI imports this module to register it.
    from hub.cli import build_parser

    print(shtab.complete(build_parser(), shell=args.shell))
    return 0
