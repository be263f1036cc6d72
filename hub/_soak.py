"""The soak: simulated pairs against a real mosquitto, with faults injected, and a report.

Each simulated minute of a session is compressed into a few seconds: every pair signals (a
stop, then its resume) several times a minute while, once a minute, one fault is injected in
turn: the broker killed and restarted, a wearable dropping out of range, a malformed BLE
notification, and forged, replayed, reordered, duplicated and malformed MQTT messages from
someone on the (open) broker. The two wearers of a pair are on two hubs, so every signal
crosses the broker. Everything is measured through the hubs' public surface (their events,
their relay's refusal count, simulated wrists), never session internals.

A signal is delivered when the partner's hub alerted its wearer for that signal id; lost when
that has not happened ``DELIVERY_TIMEOUT_S`` after it was sent. A forgery is accepted when a
hub refused fewer bad messages than were injected, or alerted for a forged id.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hub._events import DuplicateDropped
from hub._soak_attacker import Attacker
from hub._soak_pair import DELIVERY_TIMEOUT_S, SoakPair
from hub.lab import MosquittoBroker

# Signals per simulated minute and pair (stop, resume, stop, resume).
SIGNALS_PER_MINUTE = 4
FAULTS = ("broker restart", "wearable drop", "malformed BLE", "MQTT attack")


@dataclass
class SoakReport:
    minutes: int
    pairs: int
    sent: int = 0
    delivered: int = 0
    duplicates_dropped: int = 0
    lost: list[str] = field(default_factory=list)
    bad_injected: int = 0
    refused: int = 0
    forgeries_accepted: int = 0
    slowest_ms: float = 0.0
    faults: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.lost and self.forgeries_accepted == 0

    def lines(self) -> list[str]:
        faults = ", ".join(f"{name} x{count}" for name, count in sorted(self.faults.items()))
        return [
            f"soak: {self.minutes} simulated minute(s), {self.pairs} pair(s); faults: {faults}",
            f"signals sent:        {self.sent}",
            f"delivered:           {self.delivered}",
            f"duplicates dropped:  {self.duplicates_dropped}",
            f"lost:                {len(self.lost)}" + (f" {self.lost}" if self.lost else ""),
            f"forged/replayed/malformed MQTT messages injected: {self.bad_injected} "
            f"(each heard by both hubs), refused: {self.refused}",
            f"forgeries accepted:  {self.forgeries_accepted}",
            f"slowest delivery:    {self.slowest_ms:.0f} ms",
            "PASS" if self.ok else "FAIL",
        ]


class SoakBroker(MosquittoBroker):
    """An open mosquitto (anyone may publish: the forgeries are the point), killed at will."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir, if_missing=": the soak needs it")
        # A restart and an attack never overlap: every injected message must reach hubs that
        # are connected, so that each refusal is counted (or its acceptance seen).
        self.busy = asyncio.Lock()


async def soak_pair(
    pair: SoakPair, broker: SoakBroker, minutes: int, report: SoakReport, restarts: bool
) -> None:
    async with pair.running():
        attacker = Attacker(broker.address, pair)
        recorder = asyncio.create_task(attacker.record())
        stop = True
        try:
            for minute, fault in zip(range(minutes), itertools.cycle(FAULTS), strict=False):
                for _ in range(SIGNALS_PER_MINUTE):
                    await pair.signal(stop)
                    stop = not stop
                if fault == "broker restart" and not restarts:
                    fault = "MQTT attack"  # another pair restarts the shared broker
                report.faults[fault] += 1
                await inject(fault, pair, broker, attacker, minute)
            await asyncio.sleep(1.0)  # the last attack's refusals are counted
        finally:
            recorder.cancel()
            await asyncio.gather(recorder, return_exceptions=True)
    sent, alerted = pair.sent(), pair.alerted()
    report.sent += len(sent)
    report.delivered += sum(1 for i in sent if i in alerted)
    report.lost += [i for i in sent if i not in alerted]
    latencies = [(alerted[i] - t) * 1000 for i, t in sent.items() if i in alerted]
    report.slowest_ms = max([report.slowest_ms, *latencies])
    report.duplicates_dropped += sum(
        isinstance(e, DuplicateDropped) for hub in pair.events.values() for _, e in hub
    )
    report.bad_injected += attacker.injected
    for hub in pair.hubs.values():
        report.refused += hub.relay.refused
        report.forgeries_accepted += max(0, attacker.injected - hub.relay.refused)
    report.forgeries_accepted += sum(1 for i in alerted if i.startswith("forged-"))


async def inject(
    fault: str, pair: SoakPair, broker: SoakBroker, attacker: Attacker, minute: int
) -> None:
    if fault == "broker restart":
        async with broker.busy:
            await broker.kill()
            await asyncio.sleep(0.5)
            await broker.start()
            async with asyncio.timeout(DELIVERY_TIMEOUT_S):
                for hub in pair.hubs.values():
                    await hub.ready()
    elif fault == "wearable drop":
        watch = pair.watches["alex" if minute % 2 else "sam"]
        watch.leave()
        await asyncio.sleep(1.0)
        watch.come_back()
        async with asyncio.timeout(DELIVERY_TIMEOUT_S):
            for hub in pair.hubs.values():
                await hub.ready()
        await asyncio.sleep(0.5)  # the link's own pause and resume are delivered too
    elif fault == "malformed BLE":
        pair.watches["alex"].send_raw(b'{"t":"tap","dir":\xff\xfe}\n\x00garbage\n')
    elif attacker.genuine:
        async with broker.busy:
            async with asyncio.timeout(DELIVERY_TIMEOUT_S):
                for hub in pair.hubs.values():
                    await hub.ready()
            await attacker.attack()
            await asyncio.sleep(0.5)  # heard and refused before the broker may go again


async def run_soak(minutes: int, pairs: int) -> SoakReport:
    report = SoakReport(minutes, pairs)
    with tempfile.TemporaryDirectory(prefix="comfort-soak-") as workdir:
        broker = SoakBroker(Path(workdir))
        await broker.start()
        try:
            group = [
                SoakPair(broker.address, f"soak{i}-{uuid.uuid4().hex[:6]}", i) for i in range(pairs)
            ]
            await asyncio.gather(
                *(
                    soak_pair(p, broker, minutes, report, restarts=i == 0)
                    for i, p in enumerate(group)
                )
            )
        finally:
            await broker.kill()
    return report
