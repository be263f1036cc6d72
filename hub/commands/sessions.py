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
from hub.commands._hub_link import HubLink, add_hub_arguments, hub_link, refusal


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
            "comfort-hub sessions --hub 'http://192.168.1.20:8080/wearers/alex?token=...'",
        ],
    )
    add_data_dir(parser)
    change = parser.add_mutually_exclusive_group()
    change.add_argument(
        "--start", action="store_true", help="start a session on the running hub (see --hub)"
    )
    change.add_argument("--end", action="store_true", help="end the running hub's session")
    # The running hub, as `comfort-hub sim` and `agree` name it: with --hub (or --token) the
    # list is that hub's too; without, the data folder's.
    add_hub_arguments(parser)
    parser.set_defaults(hub=None)
    parser.set_defaults(run=run)


def _clock(at: float) -> str:
    return datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M:%S")


class HubUnanswered(Exception):
    """The hub at ``--hub`` did not do what was asked; the message says why, in one line."""


def _ask(hub: HubLink, method: str, path: str) -> Any:
    """The running hub's answer (its page's API) to ``method path``, with the link's token."""
    url = f"{hub.base}{path}"
    headers = {"authorization": f"Bearer {hub.token}"} if hub.token else {}
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise HubUnanswered(f"{url}: {refusal(error)}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise HubUnanswered(f"{url}: no hub answers there ({reason})") from None


def run(args: argparse.Namespace) -> int:
    # Given --hub (or --token), the hub there is asked, whatever it does: its sessions are the
    # ones the user means, and its data folder may be on another machine.
    at_hub = args.hub is not None or args.token is not None
    if at_hub and args.data_dir is not None:
        print(
            "comfort-hub sessions: --hub and --data-dir name two places: give --hub for a "
            "running hub's sessions, or --data-dir for a folder's",
            file=sys.stderr,
        )
        return 2
    if at_hub or args.start or args.end:
        try:
            hub = hub_link(args)
        except ValueError as error:
            print(f"comfort-hub sessions: {error}", file=sys.stderr)
            return 2
        try:
            if args.start or args.end:
                action = "start" if args.start else "end"
                session = _ask(hub, "POST", f"/api/sessions/{action}")
                print(f"session {session['id']} {'started' if args.start else 'ended'}")
                return 0
            listed: list[dict[str, Any]] = _ask(hub, "GET", "/api/sessions")["sessions"]
        except HubUnanswered as error:
            print(f"comfort-hub sessions: {error}", file=sys.stderr)
            return 1
    else:
        from hub.store import StoreReader, UnknownSessionError

        try:
            listed = [s.as_json() for s in StoreReader(store_path(args)).sessions()]
        except UnknownSessionError as error:
            print(f"comfort-hub: {error}", file=sys.stderr)
            return 1
    _print_sessions(listed)
    return 0


def _print_sessions(sessions: list[dict[str, Any]]) -> None:
    if not sessions:
        print("no sessions yet")
    for session in sessions:
        ended_at: float | None = session["ended_at"]
        ended = (
            f"ended {_clock(ended_at)} ({session['ended_by']})"
            if ended_at is not None
            else "still going"
        )
        # A session still going has lasted until now, not zero minutes.
        until = ended_at if ended_at is not None else time.time()
        minutes = (until - session["started_at"]) / 60
        print(
            f"{session['id']}  {_clock(session['started_at'])}  {minutes:6.1f} min  "
            f"{session['pair']}: {' & '.join(session['wearers'])}"
            f"{'  (demo)' if session['demo'] else ''}  {ended}"
        )
