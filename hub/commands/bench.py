"""``comfort-hub bench taps|relay|timeline``: performance figures, with same-run baselines."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="print performance figures (tap detector throughput, relay latency)",
        description=(
            "Benchmarks print figures with a baseline measured in the same run; compare the "
            "ratios between runs, not the milliseconds between machines."
        ),
    )
    benches = parser.add_subparsers(dest="bench", metavar="BENCH", required=True)
    taps = benches.add_parser("taps", help="tap detector throughput in samples per second")
    taps.add_argument(
        "--samples", type=int, default=2_000_000, metavar="N", help="default 2,000,000"
    )
    taps.add_argument("--rate", type=float, default=100.0, metavar="HZ", help="default 100")
    taps.set_defaults(run=_taps)
    relay = benches.add_parser(
        "relay", help="tap-to-buzz latency through the hub, against a bare MQTT hop"
    )
    relay.add_argument("--count", type=int, default=50, metavar="N", help="default 50")
    relay.add_argument(
        "--broker", metavar="URL", help="mqtt://host:port (default: an embedded broker)"
    )
    relay.set_defaults(run=_relay)
    timeline = benches.add_parser(
        "timeline", help="an 8-hour session's timeline: PNG render time and page payload"
    )
    timeline.add_argument("--hours", type=float, default=8.0, metavar="H", help="default 8")
    timeline.set_defaults(run=_timeline)


def _taps(args: argparse.Namespace) -> int:
    from hub._bench_taps import run_taps_bench
    from signals import HIGHEST_RATE_HZ, LOWEST_RATE_HZ

    if args.samples < 1000:
        print("comfort-hub bench taps: --samples must be at least 1000")
        return 2
    if not LOWEST_RATE_HZ <= args.rate <= HIGHEST_RATE_HZ:
        print(f"comfort-hub bench taps: --rate must be {LOWEST_RATE_HZ:g}-{HIGHEST_RATE_HZ:g}")
        return 2
    run_taps_bench(args.samples, args.rate, print)
    return 0


def _relay(args: argparse.Namespace) -> int:
    from hub._bench_relay import run_relay_bench

    if args.count < 1:
        print("comfort-hub bench relay: --count must be at least 1")
        return 2
    asyncio.run(run_relay_bench(args.count, args.broker, lambda line: print(line, flush=True)))
    return 0


def _timeline(args: argparse.Namespace) -> int:
    from hub._bench_timeline import run_timeline_bench

    if not 0 < args.hours <= 24:
        print("comfort-hub bench timeline: --hours must be more than 0 and at most 24")
        return 2
    run_timeline_bench(lambda line: print(line, flush=True), args.hours)
    return 0
