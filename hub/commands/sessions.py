"""``comfort-hub sessions``: the sessions the event store keeps, oldest first."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from hub.commands._data_dir import add_data_dir, store_path


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "sessions",
        help="list the recorded sessions",
        description="Lists each session: its id, when it ran, who wore what and how it ended.",
    )
    add_data_dir(parser)
    parser.set_defaults(run=run)


def _clock(at: float) -> str:
    return datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M:%S")


def run(args: argparse.Namespace) -> int:
    from hub.store import StoreReader, UnknownSessionError

    try:
        sessions = StoreReader(store_path(args)).sessions()
    except UnknownSessionError as error:
        print(f"comfort-hub: {error}", file=sys.stderr)
        return 1
    if not sessions:
        print("no sessions yet")
    for session in sessions:
        ended = (
            f"ended {_clock(session.ended_at)} ({session.ended_by})"
            if session.ended_at is not None
            else "still going"
        )
        minutes = ((session.ended_at or session.started_at) - session.started_at) / 60
        print(
            f"{session.id}  {_clock(session.started_at)}  {minutes:6.1f} min  "
            f"{session.pair}: {' & '.join(session.wearers)}{'  (demo)' if session.demo else ''}"
            f"  {ended}"
        )
    return 0
