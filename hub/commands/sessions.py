"""``comfort-hub sessions``: the sessions the event store keeps, oldest first."""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

from hub.commands._data_dir import add_data_dir, store_path
from hub.commands._help import add_command
from hub.commands._hub_link import HubLink, add_hub_arguments, hub_link


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "sessions",
        help="list the recorded sessions",
        description="Lists each session: its id, when it ran, who wore what and how it ended.",
        examples=[
            "comfort-hub sessions",
            "comfort-hub sessions --start   # start a session on the running hub",
            "comfort-hub sessions --end --hub http://192.168.1.20:8080",
        ],
    )
    add_data_dir(parser)
    change = parser.add_mutually_exclusive_group()
    change.add_argument(
        "--start", action="store_true", help="start a session on the running hub (see --hub)"
    )
    change.add_argument("--end", action="store_true", help="end the running hub's session")
    # For --start and --end: the running hub, as `comfort-hub sim` and `agree` name it.
    add_hub_arguments(parser)
    parser.set_defaults(run=run)


def _clock(at: float) -> str:
    return datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M:%S")


def _change(hub: HubLink, action: str) -> int:
    """Asks the running hub (its page's API) to start or end a session."""
    url = f"{hub.base}/api/sessions/{action}"
    headers = {"authorization": f"Bearer {hub.token}"} if hub.token else {}
    request = urllib.request.Request(url, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            session = json.load(response)
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            detail = json.loads(text or b"{}").get("detail", error.reason)
        except ValueError:  # the page's guard answers in plain text
            detail = text.decode(errors="replace").strip()
        print(f"comfort-hub: {url}: {detail}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as error:
        print(f"comfort-hub: {url}: no hub answers there ({error})", file=sys.stderr)
        return 1
    print(f"session {session['id']} {'started' if action == 'start' else 'ended'}")
    return 0


def run(args: argparse.Namespace) -> int:
    from hub.store import StoreReader, UnknownSessionError

    if args.start or args.end:
        try:
            hub = hub_link(args)
        except ValueError as error:
            print(f"comfort-hub sessions: {error}", file=sys.stderr)
            return 2
        return _change(hub, "start" if args.start else "end")
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
        # A session still going has lasted until now, not zero minutes.
        until = session.ended_at if session.ended_at is not None else time.time()
        minutes = (until - session.started_at) / 60
        print(
            f"{session.id}  {_clock(session.started_at)}  {minutes:6.1f} min  "
            f"{session.pair}: {' & '.join(session.wearers)}{'  (demo)' if session.demo else ''}"
            f"  {ended}"
        )
    return 0
