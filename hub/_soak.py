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
import contextlib
import getpass
import itertools
import json
import shutil
import signal
import tempfile
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub._broker import BrokerAddress, free_loopback_port
from hub._events import DuplicateDropped, HubEvent, PartnerAlerted, SignalSent
from hub._hub import Hub, WearerDevice
from hub._pair_key import PairKey
from hub._session import SessionSettings
from hub._signing import MessageSeal

# Signals per simulated minute and pair (stop, resume, stop, resume).
SIGNALS_PER_MINUTE = 4
# Longer than a broker restart and the hubs' reconnection: later than this is lost.
DELIVERY_TIMEOUT_S = 15.0
# Re-alerts would be felt but are not new signals: keep them out of the count.
QUIET = SessionSettings(realert_interval_s=3600)
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


class SoakBroker:
    """An open mosquitto (anyone may publish: the forgeries are the point), killed at will."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(binary).exists():
            raise RuntimeError("the soak needs mosquitto (Debian package: mosquitto)")
        self.binary = binary
        self.port = free_loopback_port()
        self.config = workdir / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            f"user {getpass.getuser()}\nlog_dest none\n"
        )
        self._process: asyncio.subprocess.Process | None = None
        # A restart and an attack never overlap: every injected message must reach hubs that
        # are connected, so that each refusal is counted (or its acceptance seen).
        self.busy = asyncio.Lock()

    @property
    def address(self) -> BrokerAddress:
        return BrokerAddress("127.0.0.1", self.port)

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            self.binary,
            "-c",
            str(self.config),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        async with asyncio.timeout(10):
            while True:
                with contextlib.suppress(OSError):
                    _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                    writer.close()
                    await writer.wait_closed()
                    return
                await asyncio.sleep(0.02)

    async def kill(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.send_signal(signal.SIGKILL)
            await process.wait()


class SoakPair:
    """alex and sam, each on a hub of their own, sharing a pair key."""

    def __init__(self, broker: BrokerAddress, pair_id: str, index: int) -> None:
        self.pair_id = pair_id
        self.key = PairKey.generate(pair_id)
        self.radio = SimRadio()
        self.watches = {
            "alex": self.radio.add(SimulatedBangle(f"50:AC:00:00:{index:02X}:01")),
            "sam": self.radio.add(SimulatedBangle(f"50:AC:00:00:{index:02X}:02")),
        }
        self.events: dict[str, list[tuple[float, HubEvent]]] = {"alex": [], "sam": []}
        backends = BleBackends(self.radio.client_backend(), self.radio.scanner_backend())
        self.hubs = {
            name: Hub(
                pair_id,
                ("alex", "sam"),
                [WearerDevice(name, watch.address, BangleDriver())],
                broker,
                observer=self._recorder(name),
                backends=backends,
                settings=QUIET,
                seal=MessageSeal(self.key),
            )
            for name, watch in self.watches.items()
        }

    def _recorder(self, name: str) -> Callable[[HubEvent], None]:
        loop = asyncio.get_running_loop()

        def record(event: HubEvent) -> None:
            self.events[name].append((loop.time(), event))

        return record

    def sent(self) -> dict[str, float]:
        return {
            e.message.id: t
            for hub in self.events.values()
            for t, e in hub
            if isinstance(e, SignalSent)
        }

    def alerted(self) -> dict[str, float]:
        first: dict[str, float] = {}
        for hub in self.events.values():
            for t, e in hub:
                if isinstance(e, PartnerAlerted):
                    first.setdefault(e.message.id, t)
        return first

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(hub.run()) for hub in self.hubs.values()]
        try:
            async with asyncio.timeout(20):
                for hub in self.hubs.values():
                    await hub.ready()
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def signal(self, stop: bool) -> None:
        """alex stops (a long press) or resumes (two presses), then waits for the partner."""
        alex = self.watches["alex"]
        before = set(self.sent())
        if stop:
            alex.press(held_ms=1500)
        else:
            alex.press()
            await asyncio.sleep(0.2)
            alex.press()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DELIVERY_TIMEOUT_S):
                # Polled: the hubs report through plain observers, not awaitables.
                while self._undelivered(before):  # noqa: ASYNC110
                    await asyncio.sleep(0.02)

    def _undelivered(self, before: set[str]) -> bool:
        """No new signal yet, or one not yet alerted on the partner's hub."""
        sent = set(self.sent())
        return not sent - before or not sent <= set(self.alerted())


class Attacker:
    """Someone on the open broker: records the pair's messages and publishes bad ones."""

    def __init__(self, broker: BrokerAddress, pair: SoakPair) -> None:
        self.broker = broker
        self.pair = pair
        self.genuine: list[bytes] = []
        self.injected = 0

    def topic(self, suffix: str) -> str:
        return f"comfort/v1/{self.pair.pair_id}/{suffix}"

    async def attack(self) -> None:
        forged = {
            "id": f"forged-{uuid.uuid4()}",
            "seq": 9,
            "signal": "resume",
            "source": "tap",
            "at": datetime.now(UTC).isoformat(),
        }
        stranger = MessageSeal(PairKey.generate(self.pair.pair_id))
        bad = [
            json.dumps(forged).encode(),  # unsigned
            stranger.seal(self.topic("alex/signal"), json.dumps(forged).encode()),  # wrong key
            b"\x00\xff not json",  # malformed
            json.dumps({**json.loads(self.genuine[-1]), "id": forged["id"]}).encode(),  # altered
        ]
        if len(self.genuine) >= 3:
            # Replayed and reordered: two older genuine signals, newest first.
            bad += [self.genuine[-2], self.genuine[-3]]
        # The broker may be restarting for another pair: try again until it is back.
        async with asyncio.timeout(DELIVERY_TIMEOUT_S):
            while True:
                try:
                    await self._publish(bad)
                    return
                except aiomqtt.MqttError:
                    await asyncio.sleep(0.2)

    async def _publish(self, bad: list[bytes]) -> None:
        async with aiomqtt.Client(self.broker.host, self.broker.port) as client:
            for payload in bad:
                await client.publish(self.topic("alex/signal"), payload, qos=1)
            self.injected += len(bad)
            # Duplicated: the latest genuine signal again; the hubs drop it by id.
            await client.publish(self.topic("alex/signal"), self.genuine[-1], qos=1)

    async def record(self) -> None:
        """Listens for genuine signals, reconnecting after each broker restart."""
        while True:
            with contextlib.suppress(aiomqtt.MqttError):
                async with aiomqtt.Client(self.broker.host, self.broker.port) as client:
                    await client.subscribe(self.topic("alex/signal"), qos=1)
                    await self._keep(client)
            await asyncio.sleep(0.2)

    async def _keep(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            payload = message.payload
            genuine = isinstance(payload, bytes) and b'"mac"' in payload
            if genuine and payload not in self.genuine:
                self.genuine.append(payload)


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
