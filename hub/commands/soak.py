"""``comfort-hub soak --minutes N``: simulated pairs under injected faults, with a report."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from hub.commands._help import add_command


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "soak",
        help="run simulated pairs against a real mosquitto with faults, and report",
        description=(
            "Runs simulated pairs (two hubs each) against a mosquitto of its own in "
            "accelerated time, injecting a fault every simulated minute: broker restarts, "
            "wearable drops, malformed BLE notifications, and forged, replayed, reordered, "
            "duplicated and malformed MQTT messages. Exits 1 if a signal was lost or a "
            "forgery accepted."
        ),
        examples=[
            "comfort-hub soak --minutes 5",
            "comfort-hub soak --minutes 60 --pairs 4",
        ],
    )
    parser.add_argument("--minutes", type=int, default=5, help="simulated minutes (default 5)")
    parser.add_argument("--pairs", type=int, default=2, help="pairs at once (default 2)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from hub._soak import run_soak

    if args.minutes < 1 or args.pairs < 1:
        print("comfort-hub soak: --minutes and --pairs must be at least 1")
        return 2
    report = asyncio.run(run_soak(args.minutes, args.pairs))
    print("\n".join(report.lines()))
    return 0 if report.ok else 1
