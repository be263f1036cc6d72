"""``comfort-hub run --config FILE``: the hub for real wearables (or their simulated twins)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from hub.commands._data_dir import add_data_dir
from hub.commands._help import add_command


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "run",
        help="run the hub from a configuration file",
        description=(
            "Connects each wearer's wearable, relays signals through MQTT (an embedded "
            "broker unless the file names one) and serves the page. See "
            "config/hub.example.toml; COMFORT_HUB_* environment variables override the file. "
            "SIGTERM or Ctrl-C stops it cleanly: the wearables are told and let go, the "
            "broker hears the hub go offline."
        ),
        examples=[
            "comfort-hub run --config hub.toml",
            "comfort-hub run --config hub.toml --simulated   # simulated twins, no Bluetooth",
            "comfort-hub --log-format json run --config /etc/comfort-hub/hub.toml   # journald",
        ],
    )
    parser.add_argument("--config", type=Path, required=True, metavar="FILE")
    parser.add_argument(
        "--simulated",
        action="store_true",
        help="use simulated twins of the configured devices instead of Bluetooth",
    )
    add_data_dir(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from hub._config import ConfigError, load_settings
    from hub._lifecycle import HubCannotStart
    from hub._service import run_service

    try:
        settings = load_settings(args.config)
    except ConfigError as error:
        print(f"comfort-hub run: {error}", file=sys.stderr)
        return 2
    if args.data_dir is not None:
        settings = settings.model_copy(update={"data_dir": args.data_dir})
    try:
        return asyncio.run(run_service(settings, sys.stdout, simulated=args.simulated))
    except HubCannotStart as error:
        print(f"comfort-hub run: {error}", file=sys.stderr)
        return 1
