"""``comfort-hub scan``: which wearables are nearby, and what each can do."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bleak.exc import BleakError

from firmware_bridge import BleBackends, FoundDevice, describe_capabilities, discover
from hub._progress import timed_progress
from hub.commands._help import add_command

# Exit statuses, for scripts: found at least one wearable / found none / no radio.
FOUND, NONE_FOUND, NO_RADIO = 0, 1, 2


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "scan",
        help="list nearby wearables and what each can do",
        description=(
            "Listen for advertising Bluetooth devices and list the wearables the hub "
            "recognises, with the profile to bind a wearer to and what each can do. "
            "Exits 1 when none is found, 2 when there is no Bluetooth adapter."
        ),
        examples=[
            "comfort-hub scan",
            "comfort-hub scan --timeout 15 --all   # listen longer, list every device",
            "comfort-hub scan --json | jq '.[].profile'",
            "comfort-hub scan --simulated   # try it without a radio",
        ],
    )
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=5.0,
        metavar="S",
        help="seconds to listen (default: 5)",
    )
    parser.add_argument(
        "--all", action="store_true", help="also list devices that are not known wearables"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--simulated",
        action="store_true",
        help="scan a simulated room with one of each supported wearable, not the radio",
    )
    parser.set_defaults(run=run)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def run(args: argparse.Namespace) -> int:
    try:
        found = asyncio.run(_scan(args.timeout, simulated=args.simulated))
    except (BleakError, OSError) as error:
        # OSError: no system D-Bus or no BlueZ to talk to.
        print(
            "comfort-hub scan: no Bluetooth adapter the hub can use "
            f"({error or type(error).__name__})",
            file=sys.stderr,
        )
        return NO_RADIO
    wearables = [device for device in found if device.driver is not None]
    shown = found if args.all else wearables
    if args.json:
        print(json.dumps([_as_json(device) for device in shown], indent=2))
    else:
        _print_table(shown, hidden=len(found) - len(shown), timeout_s=args.timeout)
    return FOUND if wearables else NONE_FOUND


async def _scan(timeout_s: float, *, simulated: bool) -> list[FoundDevice]:
    backends = None
    if simulated:
        from firmware_bridge.sim import one_of_each

        radio = one_of_each()
        backends = BleBackends(radio.client_backend(), radio.scanner_backend())
    async with timed_progress("listening", timeout_s):
        return await discover(timeout_s, backends)


def _print_table(devices: list[FoundDevice], *, hidden: int, timeout_s: float) -> None:
    if not devices:
        print(f"No wearables heard in {timeout_s:g} s.")
    else:
        rows = [("ADDRESS", "RSSI", "PROFILE", "DEVICE", "NAME", "CAN DO")]
        rows += [_row(device) for device in devices]
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            print("  ".join([*cells, row[-1]]).rstrip())
    if hidden:
        others = "device is" if hidden == 1 else "devices are"
        print(f"{hidden} other {others} not a wearable the hub knows (--all lists them).")
    if devices:
        print("Bind a wearer to PROFILE@ADDRESS, or to PROFILE alone for the first one found.")


def _row(device: FoundDevice) -> tuple[str, str, str, str, str, str]:
    profile = device.profile
    return (
        device.address,
        f"{device.rssi} dBm" if device.rssi is not None else "-",
        profile.key if profile else "-",
        profile.label if profile else "unknown",
        device.name or "-",
        describe_capabilities(profile) if profile else "-",
    )


def _as_json(device: FoundDevice) -> dict[str, object]:
    profile = device.profile
    return {
        "address": device.address,
        "name": device.name,
        "rssi": device.rssi,
        "profile": profile.key if profile else None,
        "device": profile.label if profile else None,
        "capabilities": sorted(c.value for c in profile.capabilities) if profile else [],
        "services": list(device.services),
    }
