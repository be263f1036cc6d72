"""The hub's laboratory: how well and how fast the signal processing and the hub do.

``comfort-hub eval`` (tap recall on synthetic taps, false signals on real motion, heart-rate
agreement) and the recordings it reads; ``comfort-hub bench`` (latency, pairs per hub,
detector throughput). Nothing here runs in a live session.
"""

from hub.lab._bench_detect import DetectReport, run_detect_bench
from hub.lab._bench_latency import LatencyReport, run_latency_bench
from hub.lab._bench_scale import P99_TARGET_MS, ScaleRun, run_scale_bench
from hub.lab._mosquitto import MosquittoBroker, RunningBroker, local_mosquitto

__all__ = [
    "P99_TARGET_MS",
    "DetectReport",
    "LatencyReport",
    "MosquittoBroker",
    "RunningBroker",
    "ScaleRun",
    "local_mosquitto",
    "run_detect_bench",
    "run_latency_bench",
    "run_scale_bench",
]
