"""``comfort-hub timeline SESSION --format FMT --out PATH``: one session, exported."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hub.commands._data_dir import add_data_dir, store_path
from hub.commands._help import add_command

FORMATS = ("html", "png", "svg", "csv", "json")


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "timeline",
        help="export a session's comfort timeline",
        description=(
            "Writes one session as a page (html, one file that works offline), a picture "
            "(png, svg), one row per event (csv) or everything (json)."
        ),
        examples=[
            "comfort-hub timeline latest --out tonight.html",
            "comfort-hub timeline latest --format png --out tonight.png",
            "comfort-hub timeline SESSION --format csv --out events.csv   # an id from sessions",
        ],
    )
    parser.add_argument("session", metavar="SESSION", help="a session id, or 'latest'")
    parser.add_argument("--format", choices=FORMATS, default="html")
    parser.add_argument("--out", type=Path, required=True, metavar="PATH")
    add_data_dir(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from hub.commands._out import unwritable
    from hub.store import StoreReader, UnknownSessionError
    from hub.timeline import build_timeline, export

    problem = unwritable(args.out)
    if problem is not None:
        print(f"comfort-hub timeline: {problem}", file=sys.stderr)
        return 2
    try:
        timeline = build_timeline(StoreReader(store_path(args)), args.session)
    except UnknownSessionError as error:
        print(f"comfort-hub: {error}", file=sys.stderr)
        return 1
    export(timeline, args.format, args.out)
    print(f"session {timeline['session']['id']} written to {args.out}")
    return 0
