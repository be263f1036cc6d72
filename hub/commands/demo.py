"""``comfort-hub demo``: two simulated wearers, a scripted session, on an embedded broker."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
from typing import Any

from hub._broker import BrokerAddress
from hub.commands._data_dir import add_data_dir
from hub.commands._help import add_command


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "demo",
        help="run two simulated wearers through a scripted session",
        description=(
            "Runs the hub with two simulated Bangle.js watches (alex and sam): alex signals "
            "slow down, pause and stop, sam acknowledges each, alex feels the confirmations "
            "and resumes. One line per event, with the time from gesture to partner buzz."
        ),
        examples=[
            "comfort-hub demo --duration 25",
            "comfort-hub demo --broker mqtt://127.0.0.1:1883 --no-web   # your own broker",
        ],
    )
    parser.add_argument(
        "--duration",
        type=_positive_seconds,
        metavar="SECONDS",
        help="exit after this many seconds with a summary (default: run until Ctrl-C)",
    )
    parser.add_argument(
        "--broker",
        metavar="URL",
        type=_broker_url,
        help="use this MQTT broker (mqtt://host:port) instead of an embedded one",
    )
    parser.add_argument("--no-web", action="store_true", help="do not serve the web page")
    parser.add_argument(
        "--sound",
        action="store_true",
        help="sound re-alerts on this machine (paplay or aplay)",
    )
    parser.add_argument(
        "--web-port",
        type=_port,
        default=8080,
        metavar="PORT",
        help="port of the web page on 127.0.0.1 (default 8080)",
    )
    add_data_dir(parser)
    parser.set_defaults(run=run)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"duration must be positive, got {text}")
    return value


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"expected a port from 0 (any free one) to 65535, got {text!r}"
        )
    return port


def _broker_url(text: str) -> str:
    try:
        BrokerAddress.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def run(args: argparse.Namespace) -> int:
    from hub._broker_check import BrokerRefused
    from hub._demo import run_demo
    from hub.store import StoreInUseError
    from hub.web import WebPortBusy

    try:
        return asyncio.run(
            run_demo(
                sys.stdout,
                duration_s=args.duration,
                broker=None if args.broker is None else _with_credentials(args.broker),
                web_port=None if args.no_web else args.web_port,
                sound=args.sound,
                data_dir=args.data_dir,
            )
        )
    # A hub runs on the same folder (its sessions stay its own), or the page's port is taken:
    # one line each, and 1, as `run` says them.
    except (StoreInUseError, WebPortBusy) as error:
        print(f"comfort-hub demo: {error}", file=sys.stderr)
        return 1
    except BrokerRefused as error:  # the credentials given (or not) are wrong: a usage error
        print(f"comfort-hub demo: {error}", file=sys.stderr)
        return 2


def _with_credentials(url: str) -> BrokerAddress:
    """The broker's address, with the user and password from the environment when set there
    (as `run` takes them: a password in a URL shows in the process list)."""
    from hub._broker_check import PASSWORD_VARIABLE, USERNAME_VARIABLE

    address = BrokerAddress.parse(url)
    return dataclasses.replace(
        address,
        username=os.environ.get(USERNAME_VARIABLE) or address.username,
        password=os.environ.get(PASSWORD_VARIABLE) or address.password,
    )
