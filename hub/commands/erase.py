"""``comfort-hub erase SESSION | --all``: sessions gone from the database file for good."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hub.commands._data_dir import add_data_dir, data_dir, store_path
from hub.commands._help import add_command
from hub.commands._private_files import remove_private_files


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "erase",
        help="erase an ended session (or all) from the hub for good",
        description=(
            "Deletes the session's events and heart rate, overwrites them in the file and "
            "compacts it, so they cannot be read back. A session a running hub is still "
            "recording is never erased: end it first; one left open by a hub that stopped "
            "unexpectedly is marked crashed and erased. Held levels are kept: a hub still "
            "comes back holding a stop. With --all the practice records (agreement, plan, "
            "feedback) and tap calibrations are overwritten and removed too (on flash or "
            "copy-on-write disks the old blocks may survive until reused)."
        ),
        examples=[
            "comfort-hub erase latest",
            "comfort-hub erase SESSION   # an id from comfort-hub sessions",
            "comfort-hub erase --all",
        ],
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("session", nargs="?", metavar="SESSION", help="a session id, or 'latest'")
    which.add_argument("--all", action="store_true", help="every ended session")
    add_data_dir(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = store_path(args)
    if not args.all:
        return _erase(args, path)
    if not path.parent.is_dir():
        print(f"erased 0 session(s): no data folder {path.parent}")
        return 0
    from hub.store import no_hub_has_it_open

    # A running hub keeps the pair's plan and calibrations in memory and would write (and
    # publish) them again: they are left for when it has stopped. No hub may start meanwhile.
    with no_hub_has_it_open(path) as no_hub:
        return _erase(args, path, private_files_too=no_hub)


def _erase(args: argparse.Namespace, path: Path, *, private_files_too: bool = False) -> int:
    from hub.store import (
        SessionStillOpenError,
        StoreReader,
        UnknownSessionError,
        close_abandoned_sessions,
        erase,
    )

    if args.all and not private_files_too:
        print(
            f"kept the pair's plan and tap calibrations in {path.parent}: a hub running on "
            "it holds them and would write them again; stop it and run erase --all again"
        )
    elif args.all:
        # The pair's words go even when no session was ever recorded.
        for removed in remove_private_files(data_dir(args)):
            print(f"erased {removed}")
    if args.all and not path.exists():
        print(f"erased 0 session(s): no event store in {path.parent}")
        return 0
    # With no hub running on this folder, a session still open was left by one that died:
    # it is ended as the next hub would end it, so it can be erased now.
    for abandoned in close_abandoned_sessions(path) or []:
        print(f"session {abandoned} was left open by a hub that stopped unexpectedly: marked crash")
    try:
        wanted = None if args.all else StoreReader(path).session(args.session).id
        erased = erase(path, wanted)
    except (UnknownSessionError, SessionStillOpenError) as error:
        print(f"comfort-hub: {error}", file=sys.stderr)
        return 1
    print(f"erased {len(erased.ids)} session(s) from {path}")
    for session in erased.kept_open:
        print(
            f"kept session {session}: a running hub is still recording it; "
            "end it first (comfort-hub sessions --end, or the page) to erase it"
        )
    return 0
