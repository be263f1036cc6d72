"""``comfort-hub record WEARER --seconds S --out FILE``: raw acceleration with tap prompts."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from hub.commands._help import add_command

# Exit statuses: recorded / bad arguments or configuration / the device failed us.
RECORDED, BAD_INPUT, DEVICE_FAILED = 0, 2, 1


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "record",
        help="record a wearer's raw acceleration while asking them to tap",
        description=(
            "Connects the wearer's device from the configuration (a Polar H10 or a "
            "micro:bit: one that streams raw acceleration), records --seconds of it and, "
            "every --every seconds, asks the wearer on this console to tap --taps times. "
            "Writes a CSV (time_s,x,y,z,asked_taps; acceleration in g; asked_taps marks "
            "the sample of each prompt) that comfort-hub analyze-accel reads as it is, so "
            "anyone can measure the tap detector on their own body."
        ),
        examples=[
            "comfort-hub record alex --seconds 120 --out alex.csv --config hub.toml",
            "comfort-hub record alex --seconds 300 --every 10 --taps 4 --out taps.csv "
            "--config hub.toml",
            "comfort-hub record alex --seconds 10 --out try.csv --config hub.toml --simulated",
        ],
    )
    parser.add_argument("wearer", metavar="WEARER")
    parser.add_argument("--seconds", type=float, required=True, metavar="S")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE")
    parser.add_argument("--config", type=Path, required=True, metavar="FILE")
    parser.add_argument(
        "--every", type=float, default=6.0, metavar="S", help="seconds between prompts (6)"
    )
    parser.add_argument("--taps", type=int, default=3, metavar="N", help="taps per prompt (3)")
    parser.add_argument(
        "--simulated",
        action="store_true",
        help=(
            "record from the simulated twin of the device instead, to try the command "
            "(the twin's wearer rests and does not tap)"
        ),
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from firmware_bridge import BridgeError, DeviceBinding, resolve
    from hub._config import ConfigError, load_settings
    from hub._service import simulated_room
    from hub.commands._out import unwritable
    from hub.lab._record import PromptPlan, RecordError, record_taps

    if args.seconds <= 0 or args.every <= 0 or not 1 <= args.taps <= 10:
        return _refuse("--seconds and --every must be positive, --taps from 1 to 10")
    problem = unwritable(args.out)
    if problem is not None:
        return _refuse(problem)
    try:
        settings = load_settings(args.config)
    except ConfigError as error:
        return _refuse(str(error))
    device = next((d for d in settings.devices if d.wearer == args.wearer), None)
    if device is None:
        wearers = ", ".join(d.wearer for d in settings.devices)
        return _refuse(f"{args.config}: no device for {args.wearer!r} (devices for: {wearers})")

    async def record() -> int:
        backends = None
        if args.simulated:
            from firmware_bridge import BleBackends

            radio, _ = simulated_room(settings)
            backends = BleBackends(radio.client_backend(), radio.scanner_backend())
        bound = await resolve(DeviceBinding(device.profile, device.address), backends=backends)
        recording = await record_taps(
            bound.address,
            bound.new_driver(),
            seconds=args.seconds,
            plan=PromptPlan(every_s=args.every, taps=args.taps),
            say=lambda line: print(line, flush=True),
            backends=backends,
        )
        recording.write_csv(args.out)
        print(
            f"{len(recording.times)} samples at {recording.rate_hz:g} Hz from "
            f"{args.wearer}'s {recording.device}, {len(recording.prompts)} prompts: "
            f"{args.out}\nanalyse with: comfort-hub analyze-accel {args.out} "
            f"--rate {recording.rate_hz:g}"
        )
        return RECORDED

    try:
        return asyncio.run(record())
    except RecordError as error:
        print(f"comfort-hub record: {error}", file=sys.stderr)
        return DEVICE_FAILED
    except BridgeError as error:
        print(f"comfort-hub record: {error}", file=sys.stderr)
        return DEVICE_FAILED
    except OSError as error:
        return _refuse(f"{args.out}: cannot write ({error.strerror})")


def _refuse(message: str) -> int:
    print(f"comfort-hub record: {message}", file=sys.stderr)
    return BAD_INPUT
