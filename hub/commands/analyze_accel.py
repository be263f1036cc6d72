"""``comfort-hub analyze-accel FILE --rate HZ``: the taps and signals in a recording."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from hub._accel_csv import AccelCsvError, read_accel_csv
from hub.commands._help import add_command
from signals import (
    HIGHEST_RATE_HZ,
    LOWEST_RATE_HZ,
    AccelUnit,
    TapDetector,
    signals_from_taps,
    to_g,
)

# Exit statuses: analysed / the input could not be read.
ANALYSED, BAD_INPUT = 0, 2


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "analyze-accel",
        help="find taps and signals in a CSV of acceleration",
        description=(
            "Runs the tap detector and the gesture classifier over a CSV file of 3-axis "
            "acceleration sampled at --rate, and prints JSON: the tap times and the signals "
            "they make (each burst of taps classified on its own), in seconds from the "
            "first sample. Comma, semicolon or tab separated; a header row is optional."
        ),
        examples=[
            "comfort-hub analyze-accel wrist.csv --rate 100",
            "comfort-hub analyze-accel polar.csv --rate 200 --units mg --columns 2,3,4",
            "comfort-hub analyze-accel ACC.csv --rate 32 --skip-rows 2   # an Empatica export",
        ],
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument(
        "--rate",
        type=float,
        required=True,
        metavar="HZ",
        help=f"sampling rate, {LOWEST_RATE_HZ:g} to {HIGHEST_RATE_HZ:g} Hz",
    )
    parser.add_argument(
        "--units",
        choices=[unit.value for unit in AccelUnit],
        default=AccelUnit.G.value,
        help="units of the values: g, mg (milli-g) or mps2 (m/s2); default g",
    )
    parser.add_argument(
        "--columns",
        metavar="x,y,z",
        help=(
            "the three columns to read, by header name or by number counting from 1 "
            "(default: columns named x, y, z, else the last three)"
        ),
    )
    parser.add_argument(
        "--skip-rows",
        type=int,
        default=0,
        metavar="N",
        help="rows to skip before the data or header (e.g. 2 for an Empatica ACC.csv)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not LOWEST_RATE_HZ <= args.rate <= HIGHEST_RATE_HZ:
        return _refuse(
            f"--rate must be between {LOWEST_RATE_HZ:g} and {HIGHEST_RATE_HZ:g} Hz, "
            f"got {args.rate:g}"
        )
    if args.skip_rows < 0:
        return _refuse(f"--skip-rows must not be negative, got {args.skip_rows}")
    columns = args.columns.split(",") if args.columns else None
    try:
        table = read_accel_csv(args.file, columns=columns, skip_rows=args.skip_rows)
    except AccelCsvError as error:
        return _refuse(str(error))
    samples = to_g(table.samples, args.units)
    times = np.arange(len(samples)) / args.rate
    taps = TapDetector(args.rate).feed(samples, times)
    report = {
        "taps": [round(at, 3) for at in taps.tolist()],
        "signals": [
            {"at": round(found.at, 3), "signal": found.signal.value}
            for found in signals_from_taps(taps)
        ],
        "duration_s": round(len(samples) / args.rate, 3),
        "samples": len(samples),
        "rate_hz": args.rate,
        "columns": list(table.columns),
    }
    print(json.dumps(report, indent=2))
    return ANALYSED


def _refuse(message: str) -> int:
    print(f"comfort-hub analyze-accel: {message}", file=sys.stderr)
    return BAD_INPUT
