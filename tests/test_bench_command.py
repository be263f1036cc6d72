"""``comfort-hub bench latency|scale|detect --quick``: they run, and report what they promise.

Figures are never asserted (the machine is shared): only that each is there, positive and
finite, so the benchmarks cannot rot between the runs that read them.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import pytest

from hub.cli import main
from tests.brokers import Mosquitto

KINDS = {"slow_down", "pause", "stop", "resume"}


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def _latency_figures(figures: dict[str, Any]) -> None:
    assert figures["n"] > 0
    for key in ("p50_ms", "p99_ms", "max_ms"):
        assert _positive(figures[key]), (key, figures)
    assert figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]


def _run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(argv) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


# A real run of cycles on both paths: slow on a busy machine, never hung.
@pytest.mark.timeout(180)
async def test_bench_latency_measures_both_paths_and_the_bare_hop_in_one_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # No --broker: the command starts a mosquitto of its own. It runs its own event loop,
    # so it gets a thread of its own.
    report = await asyncio.to_thread(_run_json, ["bench", "latency", "--quick", "--json"], capsys)
    _latency_figures(report["baseline"])
    _latency_figures(report["baseline_back_to_back"])
    assert set(report["paths"]) == {"one_hub", "two_hubs"}
    for path in report["paths"].values():
        _latency_figures(path)
        # Each path's bare hops are measured between its own cycles, in the same rhythm.
        _latency_figures(path["baseline"])
        assert path["baseline"]["n"] == path["n"]
        assert _positive(path["ratio"])
        assert set(path["kinds"]) == KINDS
        for figures in path["kinds"].values():
            _latency_figures(figures)


# A real run of cycles on both paths: slow on a busy machine, never hung.
@pytest.mark.timeout(180)
async def test_bench_latency_uses_the_broker_it_is_given(
    mosquitto: Mosquitto, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bench", "latency", "--quick", "--n", "1", "--broker", str(mosquitto.address)]
    assert await asyncio.to_thread(main, argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"broker {mosquitto.address}; 1 cycles of each signal per path"
    assert lines[1].startswith("bare MQTT QoS 1 hop (baseline)")
    assert sum("ratio p99 x" in line for line in lines) == 2


async def test_bench_scale_reports_latency_cpu_and_events_per_pair_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["bench", "scale", "--quick", "--pairs", "1", "2", "--json"]
    report = await asyncio.to_thread(_run_json, argv, capsys)
    assert [run["pairs"] for run in report["runs"]] == [1, 2]
    for run in report["runs"]:
        assert run["wearers"] == 2 * run["pairs"]
        _latency_figures(run)
        assert run["missed"] == 0
        assert _positive(run["process_cpu_cores"])
        assert _positive(run["events_per_s"])
    carried = [run["pairs"] for run in report["runs"] if run["p99_under_target"]]
    assert report["largest_pairs_under_target"] == (max(carried) if carried else None)


def test_bench_detect_reports_each_chunking_beside_its_baseline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = _run_json(["bench", "detect", "--quick", "--json"], capsys)
    assert set(report["taps"]) == {"baseline", "whole", "chunks_36", "chunks_1000"}
    assert report["same_taps_whatever_the_chunking"] is True
    assert set(report["heart"]) == {"baseline", "monitor"}
    for figures in [*report["taps"].values(), *report["heart"].values()]:
        assert _positive(figures["samples_per_s"])
        assert _positive(figures["times_baseline"])


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["bench", "detect", "--samples", "10"], "--samples must be at least 1000"),
        (["bench", "scale", "--pairs", "0"], "--pairs must each be at least 1"),
        (["bench", "latency", "--broker", "http://x"], "scheme must be mqtt://"),
    ],
)
def test_bench_refuses_bad_options_in_one_line(
    argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    error = capsys.readouterr().err.strip()
    assert complaint in error
    assert "\n" not in error
