"""``comfort-hub pair-key new|show|add KEY --config FILE``: the pair's shared secret.

Both hubs of a pair (and any client that publishes for it) need the same key: make it on one
hub, ``show`` it there, and ``add`` it on the other. Its line is the last line ``show`` prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hub.commands._help import add_command


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "pair-key",
        help="make, show or add the pair's shared key",
        description=(
            "Every message between the pair's hubs is signed with a key both share. "
            "'new' makes one, 'show' prints it (QR code, then the key on the last line), "
            "'add KEY' stores the partner hub's key here. Kept 0600 in the data directory."
        ),
        examples=[
            "comfort-hub pair-key new --config hub.toml",
            "comfort-hub pair-key show --config hub.toml",
            "comfort-hub pair-key add comfort1:our-room:AAEC... --config hub.toml",
        ],
    )
    parser.add_argument("action", choices=["new", "show", "add"])
    parser.add_argument("key", nargs="?", help="the key line, for 'add'")
    parser.add_argument("--config", type=Path, required=True, metavar="FILE")
    parser.add_argument("--force", action="store_true", help="replace a key this hub already has")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from hub._config import ConfigError, load_settings
    from hub._pair_key import PairKey, PairKeyError, key_path, load_key, save_key
    from hub._private_files import PrivateFileError

    def fail(message: str) -> int:
        print(f"comfort-hub pair-key: {message}", file=sys.stderr)
        return 2

    try:
        settings = load_settings(args.config)
        existing = load_key(settings.data_dir, settings.pair)
        if args.action == "show":
            if existing is None:
                return fail(
                    f"no key yet in {key_path(settings.data_dir, settings.pair)}; "
                    "make one with: comfort-hub pair-key new"
                )
            print(existing.qr_code(), end="")
            print(
                f"pair key for {settings.pair!r} (give it to the partner hub: "
                "comfort-hub pair-key add KEY):"
            )
            print(existing.to_text())
            return 0
        if args.action == "new":
            key = PairKey.generate(settings.pair)
        else:
            if args.key is None:
                return fail("'add' needs the key line that 'pair-key show' printed")
            key = PairKey.parse(args.key)
            if key.pair != settings.pair:
                return fail(
                    f"the key is for pair {key.pair!r}; {args.config} is pair {settings.pair!r}"
                )
        if existing is not None and existing != key and not args.force:
            return fail(
                f"{key_path(settings.data_dir, settings.pair)} already holds a key; "
                "--force replaces it (the partner hub then needs the new one)"
            )
        path = save_key(settings.data_dir, key)
    except (ConfigError, PairKeyError, PrivateFileError) as error:
        return fail(str(error))
    print(f"pair key kept in {path}")
    if args.action == "new":
        print("show it with: comfort-hub pair-key show --config FILE")
    return 0
