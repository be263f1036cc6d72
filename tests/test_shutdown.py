"""SIGTERM (systemd stopping the service) is a clean goodbye: nothing is lost on the way out."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from firmware_bridge.sim import SimRadio
from hub._hub import GOODBYE_SLACK_S
from hub.store import DATABASE_NAME, EventStore, SavedState, StoreReader
from signals import HUB_STOPPING, ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import mqtt_peer, running_hub, times_played, two_watches

STOP = pattern_for(ComfortSignal.STOP)


def status_of(payload: bytes) -> str:
    """``online``/``offline``, from the hub's JSON status (docs/protocol.md)."""
    status = json.loads(payload)["status"]
    assert isinstance(status, str)
    return status


WATCHES = {"alex": "C0:00:00:00:5E:01", "sam": "C0:00:00:00:5E:02"}


def config(tmp_path: Path, pair_id: str, broker: Mosquitto) -> Path:
    path = tmp_path / "hub.toml"
    devices = "".join(
        f'\n[[devices]]\nwearer = "{wearer}"\nprofile = "bangle"\naddress = "{address}"\n'
        for wearer, address in WATCHES.items()
    )
    path.write_text(
        f'pair = "{pair_id}"\nwearers = ["alex", "sam"]\n'
        f'broker = "mqtt://127.0.0.1:{broker.port}"\n'
        f"[web]\nenabled = false\n{devices}"
    )
    return path


class ServiceProcess:
    """``comfort-hub run`` on watches that report, as JSON lines, what they lived through."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.watch_events: list[dict[str, Any]] = []
        self.console: list[str] = []
        assert process.stdout is not None and process.stderr is not None
        self._readers = [
            asyncio.create_task(self._read(process.stdout, self._watch_line)),
            asyncio.create_task(self._read(process.stderr, self.console.append)),
        ]

    @staticmethod
    async def _read(stream: asyncio.StreamReader, take: Any) -> None:
        async for line in stream:
            take(line.decode())

    def _watch_line(self, line: str) -> None:
        self.watch_events.append(json.loads(line))

    def of(self, wearer: str, event: str) -> list[dict[str, Any]]:
        return [
            e for e in self.watch_events if e["watch"] == WATCHES[wearer] and e["event"] == event
        ]

    async def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{line}\n".encode())
        await self.process.stdin.drain()

    async def finish(self) -> int:
        returncode = await self.process.wait()
        await asyncio.gather(*self._readers)
        return returncode


@pytest.mark.timeout(60)
async def test_sigterm_says_offline_tells_and_lets_go_of_the_wearables_and_loses_nothing(
    tmp_path: Path, pair_id: str, mosquitto: Mosquitto, data_dir: Path
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.service_process",
        str(config(tmp_path, pair_id, mosquitto)),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=Path(__file__).parent.parent,
    )
    hub = ServiceProcess(process)

    def is_status(topic: object) -> bool:
        # The hub's own status: comfort/v1/<pair>/hub/<hub-id>/status.
        text = str(topic)
        return text.startswith(f"comfort/v1/{pair_id}/hub/") and text.endswith("/status")

    async with mqtt_peer(mosquitto.address, pair_id) as peer:
        await wait_until(
            lambda: bool(hub.of("alex", "connected") and hub.of("sam", "connected")), 20
        )
        await wait_until(lambda: any(is_status(m.topic) for m in peer.seen), 20)

        # alex taps a stop; the hub is told to stop as soon as it has made the signals.
        for _ in range(4):
            await hub.send("tap alex")
            await asyncio.sleep(0.15)
        assert hub.process.stdin is not None
        hub.process.stdin.close()
        await wait_until(lambda: any("signals STOP" in line for line in hub.console), 10)
        hub.process.send_signal(signal.SIGTERM)
        assert await hub.finish() == 0, "".join(hub.console)
        await asyncio.sleep(0)

        # Every signal the hub made reached the broker, and the event store has every one,
        # in a session the hub closed on its way out.
        store = StoreReader(data_dir / DATABASE_NAME)  # COMFORT_HUB_DATA_DIR
        (session,) = store.sessions()
        assert session.ended_by == "hub stopped"
        events = store.events(session.id)
        sent = [e.data for e in events if e.kind == "signal" and e.wearer == "alex"]
        assert [e["signal"] for e in sent] == ["slow_down", "pause", "stop"]
        await wait_until(lambda: len(peer.on("alex/signal")) == 3)
        assert [m["id"] for m in peer.on("alex/signal")] == [e["id"] for e in sent]
        assert peer.on("alex/state")[-1]["signal"] == "stop"

    # The retained status says the hub is gone (not just its will, later, after a timeout).
    async with aiomqtt.Client("127.0.0.1", mosquitto.port) as late:
        await late.subscribe(f"comfort/v1/{pair_id}/hub/+/status", qos=1)
        async with asyncio.timeout(5):
            message = await anext(aiter(late.messages))
        assert message.retain and is_status(message.topic)
        assert isinstance(message.payload, bytes)
        assert status_of(message.payload) == "offline"

    # Each watch felt the hub going, then was let go of.
    goodbye = [[pulse.on_ms, pulse.strength] for pulse in HUB_STOPPING.pulses]
    for wearer in WATCHES:
        (disconnected,) = hub.of(wearer, "disconnected")
        assert disconnected["buzzes"][-len(goodbye) :] == goodbye
    assert any("hub stopped" in line for line in hub.console)


class StuckDisk:
    """The real store behind a disk that hangs on a save until told to go on."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.saving = threading.Event()
        self.go_on = threading.Event()

    def load(self, pair: str, wearer: str) -> SavedState:
        return self.store.load(pair, wearer)

    def save(self, pair: str, wearer: str, *rest: Any) -> None:
        self.saving.set()
        assert self.go_on.wait(30), "the disk was never let go on"
        self.store.save(pair, wearer, *rest)

    def save_ack(self, pair: str, wearer: str, *rest: Any) -> None:
        self.store.save_ack(pair, wearer, *rest)


async def test_a_hub_stopped_while_a_stop_waits_for_the_disk_still_sends_it(
    tmp_path: Path, pair_id: str, mosquitto: Mosquitto
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    store = EventStore(tmp_path / DATABASE_NAME)
    disk = StuckDisk(store)
    try:
        async with (
            mqtt_peer(mosquitto.address, pair_id) as partner_side,
            running_hub(mosquitto.address, pair_id, radio, watches, store=disk) as (hub, _),
        ):
            watches["alex"].press(held_ms=1500)  # stop: sam feels it, then the disk hangs
            await wait_until(lambda: times_played(watches["sam"], STOP) == 1)
            await wait_until(disk.saving.is_set)
            # Told to stop (SIGTERM) meanwhile; the disk stays stuck past the whole goodbye.
            winding_down = asyncio.create_task(hub.wind_down())
            stuck_s = HUB_STOPPING.duration_ms / 1000 + GOODBYE_SLACK_S + 1.0
            await asyncio.wait([winding_down], timeout=stuck_s)
            disk.go_on.set()
            await winding_down
        # The hub is gone (cancelled, as after SIGTERM): the stop had left before it went.
        await wait_until(lambda: [m["signal"] for m in partner_side.on("alex/signal")] == ["stop"])
    finally:
        disk.go_on.set()
        store.close()
    assert EventStore(tmp_path / DATABASE_NAME).load(pair_id, "alex").level is ComfortSignal.STOP


@pytest.mark.timeout(60)
@pytest.mark.parametrize("sams_address", [None, WATCHES["sam"]], ids=["first-found", "named"])
async def test_sigterm_while_a_wearable_is_still_being_looked_for_stops_cleanly(
    tmp_path: Path, pair_id: str, mosquitto: Mosquitto, data_dir: Path, sams_address: str | None
) -> None:
    path = config(tmp_path, pair_id, mosquitto)
    if sams_address is None:  # "the first Bangle.js found": the hub scans before it starts
        text = path.read_text()
        path.write_text(text.replace(f'address = "{WATCHES["sam"]}"\n', ""))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.service_process",
        str(path),
        "sam",  # sam's watch is not on the radio: never found
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=Path(__file__).parent.parent,
    )
    hub = ServiceProcess(process)
    await wait_until(lambda: any("finding alex" in line for line in hub.console), 20)
    if sams_address is not None:  # the hub runs, alex's watch connects, sam's link keeps trying
        await wait_until(lambda: bool(hub.of("alex", "connected")), 20)
        await wait_until(lambda: any("MQTT broker connected" in line for line in hub.console), 20)
    assert hub.process.stdin is not None
    hub.process.stdin.close()  # no more commands: the process's reader ends
    hub.process.send_signal(signal.SIGTERM)
    assert await hub.finish() == 0, "".join(hub.console)
    assert any("hub stopped" in line for line in hub.console), "".join(hub.console)
    store = StoreReader(data_dir / DATABASE_NAME)
    assert all(s.ended_by != "crash" for s in store.sessions())

    if sams_address is not None:
        # The hub had said it was online: it says it is gone, and alex felt it going.
        async with aiomqtt.Client("127.0.0.1", mosquitto.port) as late:
            await late.subscribe(f"comfort/v1/{pair_id}/hub/+/status", qos=1)
            async with asyncio.timeout(5):
                message = await anext(aiter(late.messages))
            assert isinstance(message.payload, bytes)
            assert status_of(message.payload) == "offline"
        goodbye = [[pulse.on_ms, pulse.strength] for pulse in HUB_STOPPING.pulses]
        (disconnected,) = hub.of("alex", "disconnected")
        assert disconnected["buzzes"][-len(goodbye) :] == goodbye


async def test_a_hub_stopped_while_an_alert_plays_ends_it_before_it_lets_go_of_the_wearable(
    pair_id: str, mosquitto: Mosquitto, caplog: pytest.LogCaptureFixture
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    try:
        async with running_hub(mosquitto.address, pair_id, radio, watches) as (hub, _):
            hub.players["sam"].alert(STOP)
            await wait_until(lambda: bool(watches["sam"].buzzes))
            # The broker stops answering: the relay's goodbye outlasts the rest of the stop
            # pattern, which must not go on playing to a wearable the hub has let go of.
            mosquitto.freeze()
    finally:
        mosquitto.thaw()
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
