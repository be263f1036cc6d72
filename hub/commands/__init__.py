"""Subcommands of ``comfort-hub``. Each module has ``add_parser(subparsers)`` that sets ``run``.

Register a command with :func:`hub.commands._help.add_command` (its ``--help`` must show
examples; a test checks every command), report long work with :func:`hub._progress.progress`,
and let unexpected errors reach ``main()``, which prints them as one line.
"""

from __future__ import annotations

import argparse
from typing import Any, Protocol


class Command(Protocol):
    def add_parser(self, subparsers: argparse._SubParsersAction[Any]) -> None: ...


def _load() -> tuple[Command, ...]:
    from hub.commands import (
        agree,
        analyze_accel,
        bench,
        broker_config,
        completion,
        demo,
        erase,
        eval,
        pair_key,
        record,
        run,
        scan,
        sessions,
        sim,
        soak,
        timeline,
    )

    return (
        demo,
        run,
        sim,
        sessions,
        timeline,
        erase,
        scan,
        agree,
        analyze_accel,
        eval,
        record,
        bench,
        pair_key,
        broker_config,
        soak,
        completion,
    )


COMMANDS: tuple[Command, ...] = _load()
