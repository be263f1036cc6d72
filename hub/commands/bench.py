"""``comfort-hub bench latency|scale|detect|timeline``: performance figures beside a baseline.

latency, scale and detect each print a table, or with ``--json`` one JSON object; ``--quick``
runs a small version (the test command runs them so, to keep them working). Their code lives
in ``hub.lab``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from hub._broker import BrokerAddress
from hub.commands._help import add_command


@dataclass(frozen=True)
class _Bench:
    """One ``comfort-hub bench`` subcommand: its help, its own options, and how it runs."""

    name: str
    help: str
    description: str
    examples: list[str]
    options: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    # --broker URL (default: a mosquitto of its own), and --quick / --json.
    broker: bool = False
    quick_and_json: bool = True


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "bench",
        help="print performance figures (latency, pairs per hub, detector throughput)",
        description=(
            "Benchmarks print figures with a baseline measured in the same run; compare the "
            "ratios between runs, not the milliseconds between machines."
        ),
        examples=["comfort-hub bench latency --quick", "comfort-hub bench detect --json"],
    )
    benches = parser.add_subparsers(dest="bench", metavar="BENCH", required=True)
    for bench in _BENCHES:
        sub = add_command(
            benches,
            bench.name,
            help=bench.help,
            description=bench.description,
            examples=bench.examples,
        )
        bench.options(sub)
        if bench.broker:
            sub.add_argument(
                "--broker",
                metavar="URL",
                help="mqtt://host:port (default: a mosquitto of its own on loopback)",
            )
        if bench.quick_and_json:
            sub.add_argument("--quick", action="store_true", help="a small, fast run")
            sub.add_argument("--json", action="store_true", help="print one JSON object")
        sub.set_defaults(run=bench.run)


def _latency_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--n",
        type=int,
        metavar="N",
        help="cycles of slow_down, pause, stop and resume per path (default 50; --quick 3)",
    )


def _scale_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pairs",
        type=int,
        nargs="+",
        metavar="N",
        help="pair counts to try, in order (default 25 50 100 200 300; --quick 2)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        metavar="S",
        help="measured time per pair count (default 30; --quick 4)",
    )


def _detect_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--samples",
        type=int,
        metavar="N",
        help="acceleration samples (default 2,000,000; --quick 20,000)",
    )
    parser.add_argument("--rate", type=float, default=100.0, metavar="HZ", help="default 100")


def _timeline_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hours", type=float, default=8.0, metavar="H", help="default 8")


def _fail(bench: str, reason: str) -> int:
    print(f"comfort-hub bench {bench}: {reason}", file=sys.stderr)
    return 2


def _broker_url(args: argparse.Namespace) -> str | None:
    """``--broker`` checked (ValueError saying what is wrong with it), or None: our own."""
    return None if args.broker is None else str(BrokerAddress.parse(args.broker))


@contextlib.asynccontextmanager
async def _broker(url: str | None) -> AsyncIterator[tuple[BrokerAddress, int | None]]:
    from hub.lab import local_mosquitto

    if url is not None:
        yield BrokerAddress.parse(url), None
        return
    async with local_mosquitto() as running:
        yield running.address, running.pid


def _latency(args: argparse.Namespace) -> int:
    from hub.lab import run_latency_bench

    cycles = args.n if args.n is not None else (3 if args.quick else 50)
    if cycles < 1:
        return _fail("latency", "--n must be at least 1")
    try:
        url = _broker_url(args)
    except ValueError as error:
        return _fail("latency", str(error))

    async def run() -> Any:
        async with _broker(url) as (broker, _):
            return await run_latency_bench(broker, cycles)

    report = asyncio.run(run())
    if args.json:
        print(json.dumps(report.as_json(), indent=2))
    else:
        print(f"broker {report.broker}; {cycles} cycles of each signal per path")
        print("\n".join(report.lines()))
    return 0


def _scale(args: argparse.Namespace) -> int:
    from hub.lab import P99_TARGET_MS, run_scale_bench

    pair_counts = args.pairs or ([2] if args.quick else [25, 50, 100, 200, 300])
    seconds = args.seconds or (4.0 if args.quick else 30.0)
    if min(pair_counts) < 1:
        return _fail("scale", "--pairs must each be at least 1")
    if seconds <= 0:
        return _fail("scale", "--seconds must be positive")
    try:
        url = _broker_url(args)
    except ValueError as error:
        return _fail("scale", str(error))

    def say(line: str) -> None:
        if not args.json:
            print(line, flush=True)

    async def run() -> Any:
        async with _broker(url) as (broker, pid):
            say(f"broker {broker}; {seconds:g} s per pair count")
            return await run_scale_bench(broker, pid, pair_counts, seconds, say, quick=args.quick)

    runs = asyncio.run(run())
    carried = [run.pairs for run in runs if run.within_target]
    largest = max(carried) if carried else None
    if args.json:
        print(
            json.dumps(
                {
                    "p99_target_ms": P99_TARGET_MS,
                    "runs": [run.as_json() for run in runs],
                    "largest_pairs_under_target": largest,
                },
                indent=2,
            )
        )
    else:
        print(f"Largest N with p99 under {P99_TARGET_MS:g} ms and nothing missed: {largest}")
    return 0


def _detect(args: argparse.Namespace) -> int:
    from hub.lab import run_detect_bench
    from signals import HIGHEST_RATE_HZ, LOWEST_RATE_HZ

    samples = args.samples or (20_000 if args.quick else 2_000_000)
    if samples < 1000:
        return _fail("detect", "--samples must be at least 1000")
    if not LOWEST_RATE_HZ <= args.rate <= HIGHEST_RATE_HZ:
        return _fail("detect", f"--rate must be {LOWEST_RATE_HZ:g}-{HIGHEST_RATE_HZ:g}")
    report = run_detect_bench(samples, args.rate, repeats=1 if args.quick else 3)
    if args.json:
        print(json.dumps(report.as_json(), indent=2))
    else:
        print(f"{samples:,} samples at {args.rate:g} Hz (synthetic taps over real motion)")
        print("\n".join(report.lines()))
    return 0


def _timeline(args: argparse.Namespace) -> int:
    from hub.lab._bench_timeline import run_timeline_bench

    if not 0 < args.hours <= 24:
        print("comfort-hub bench timeline: --hours must be more than 0 and at most 24")
        return 2
    run_timeline_bench(lambda line: print(line, flush=True), args.hours)
    return 0


_BENCHES = (
    _Bench(
        "latency",
        help="gesture to partner buzz through the hub, against a bare MQTT hop",
        description=(
            "Sends cycles of slow_down, pause, stop and resume through a hub and a broker and "
            "prints the time from gesture to the partner's buzz, beside a bare MQTT hop."
        ),
        examples=[
            "comfort-hub bench latency",
            "comfort-hub bench latency --n 200 --broker mqtt://127.0.0.1:1883",
            "comfort-hub bench latency --quick --json",
        ],
        options=_latency_options,
        run=_latency,
        broker=True,
    ),
    _Bench(
        "scale",
        help="tap-to-buzz latency and CPU for N pairs at once",
        description=(
            "Runs N pairs on one hub process for --seconds each and prints tap-to-buzz "
            "latency and the hub's CPU for each pair count."
        ),
        examples=[
            "comfort-hub bench scale",
            "comfort-hub bench scale --pairs 10 50 --seconds 10",
            "comfort-hub bench scale --quick --json",
        ],
        options=_scale_options,
        run=_scale,
        broker=True,
    ),
    _Bench(
        "detect",
        help="tap detector and heart-rate monitor throughput in samples per second",
        description=(
            "Runs the tap detector and the heart-rate monitor over synthetic data and prints "
            "samples per second."
        ),
        examples=[
            "comfort-hub bench detect",
            "comfort-hub bench detect --samples 500000 --rate 200",
        ],
        options=_detect_options,
        run=_detect,
    ),
    _Bench(
        "timeline",
        help="an 8-hour session's timeline: PNG render time and page payload",
        description=(
            "Builds a session of --hours with a realistic mix of events and prints how long "
            "its PNG takes to draw and how large the timeline page's payload is."
        ),
        examples=["comfort-hub bench timeline", "comfort-hub bench timeline --hours 2"],
        options=_timeline_options,
        run=_timeline,
        quick_and_json=False,
    ),
)
