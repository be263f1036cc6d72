"""A hub that cannot run says why in one line and exits; it never hangs, and never disturbs
the hub already running on its data folder."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiomqtt
import pytest

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub import Hub, WearerDevice, load_settings
from hub._lifecycle import HubCannotStart, run_until_stopped
from hub._service import run_service
from hub.store import DATABASE_NAME, EventStore, StoreInUseError, StoreReader
from signals import HUB_STOPPING
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import PAIR, Recorder, mqtt_peer, pair_seal, two_watches
from tests.test_shutdown import WATCHES, ServiceProcess, config, status_of
from tests.test_timeline_export import comfort_hub


async def start_service(path: Path, *absent: str) -> ServiceProcess:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.service_process",
        str(path),
        *absent,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=Path(__file__).parent.parent,
    )
    return ServiceProcess(process)


def errors(hub: ServiceProcess) -> list[str]:
    return [line for line in hub.console if line.startswith("comfort-hub run:")]


@pytest.mark.timeout(60)
async def test_a_busy_web_port_is_one_line_naming_it_before_any_wearable_is_connected(
    tmp_path: Path, pair_id: str, mosquitto: Mosquitto, data_dir: Path
) -> None:
    path = config(tmp_path, pair_id, mosquitto)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        text = path.read_text().replace("enabled = false", f"port = {busy}\nqr = false")
        path.write_text(text)
        hub = await start_service(path)
        # It ends by itself (it used to run on, deaf to SIGTERM) and says why, once.
        async with asyncio.timeout(40):
            returncode = await hub.finish()
    console = "".join(hub.console)
    assert returncode == 1, console
    (error,) = errors(hub)
    assert f"web port {busy} on 127.0.0.1 is in use" in error, console
    assert hub.watch_events == [], "no wearable was connected"
    assert "MQTT broker connected" not in console
    assert "Traceback" not in console
    # The folder was let go of: the next hub starts.
    EventStore.open(data_dir).close()


@pytest.mark.timeout(60)
async def test_a_second_hub_on_the_same_data_folder_is_refused_and_the_first_runs_on(
    tmp_path: Path, pair_id: str, mosquitto: Mosquitto, data_dir: Path
) -> None:
    path = config(tmp_path, pair_id, mosquitto)
    first = await start_service(path)
    async with mqtt_peer(mosquitto.address, pair_id) as peer:
        await wait_until(
            lambda: bool(first.of("alex", "connected") and first.of("sam", "connected")), 20
        )
        await wait_until(lambda: any("MQTT broker connected" in line for line in first.console), 20)
        (session,) = StoreReader(data_dir / DATABASE_NAME).sessions()

        # The same configuration started again by mistake: same folder, same MQTT client id.
        second = await start_service(path)
        async with asyncio.timeout(30):
            assert await second.finish() == 1, "".join(second.console)
        (error,) = errors(second)
        assert f"data folder {data_dir} is in use by another hub" in error
        assert second.watch_events == [], "it connected no wearable"
        assert not any("MQTT broker" in line for line in second.console), "nor the broker"
        assert "Traceback" not in "".join(second.console)

        # The first hub never lost its broker, and its session is not marked crashed.
        for _ in range(4):
            await first.send("tap alex")
            await asyncio.sleep(0.15)
        await wait_until(lambda: len(peer.on("alex/signal")) == 3, 10)
        assert not any("MQTT broker LOST" in line for line in first.console)
        assert StoreReader(data_dir / DATABASE_NAME).session(session.id).ended_at is None
    assert first.process.stdin is not None
    first.process.stdin.close()
    first.process.send_signal(signal.SIGTERM)
    assert await first.finish() == 0, "".join(first.console)
    assert StoreReader(data_dir / DATABASE_NAME).session(session.id).ended_by == "hub stopped"


async def test_readers_leave_a_running_hubs_session_open(tmp_path: Path, data_dir: Path) -> None:
    running = EventStore.open(data_dir)  # a hub recording
    try:
        session = running.start_session("alex-sam", ("alex", "sam"), started_by="test")
        running.record("signal", {"level": "stop"}, wearer="alex")
        running.flush()
        where = ("--data-dir", str(data_dir))
        listed = await comfort_hub("sessions", *where)
        assert listed.returncode == 0, listed.stderr
        assert f"{session.id}" in listed.stdout and "still going" in listed.stdout
        drawn = await comfort_hub(
            "timeline", "latest", "--format", "csv", "--out", str(tmp_path / "t.csv"), *where
        )
        assert drawn.returncode == 0, drawn.stderr
        erased = await comfort_hub("erase", "--all", *where)
        assert erased.returncode == 0, erased.stderr
        assert "crash" not in listed.stdout + drawn.stdout + erased.stdout
        # A second store on the folder (a second hub, a demo) is refused, naming it.
        with pytest.raises(StoreInUseError, match=f"data folder {data_dir} is in use"):
            EventStore.open(data_dir)
        # The session is still open, and the hub goes on recording into it.
        assert StoreReader(running.path).session(session.id).ended_at is None
        running.record("signal", {"level": "pause"}, wearer="alex")
    finally:
        running.close()
    assert [e.data["level"] for e in StoreReader(running.path).events(session.id)] == [
        "stop",
        "pause",
    ]
    assert StoreReader(running.path).session(session.id).ended_by == "hub stopped"


async def test_a_first_found_wearable_never_found_is_named_and_the_folder_let_go_of(
    tmp_path: Path, pair_id: str, mosquitto: Mosquitto, data_dir: Path
) -> None:
    path = config(tmp_path, pair_id, mosquitto)
    path.write_text(path.read_text().replace(f'address = "{WATCHES["sam"]}"\n', ""))
    radio = SimRadio()
    alex = radio.add(SimulatedBangle(WATCHES["alex"]))  # sam's watch is nowhere
    # The hub makes every file of this process private: the test's umask is put back after.
    umask = os.umask(0o022)
    os.umask(umask)
    try:
        with open(os.devnull, "w") as console, pytest.raises(HubCannotStart) as raised:
            await run_service(
                load_settings(path), console, room=(radio, {"alex": alex}), resolve_timeout_s=0.5
            )
    finally:
        os.umask(umask)
    assert str(raised.value) == (
        "sam's wearable (the first Bangle.js 2 found) was not found: none advertised within "
        "0.5 s (is it on, near, and not held by a phone?)"
    )
    assert not alex.connected, "nothing was connected"
    # The store was closed and its lock let go of: a hub can start on the folder now.
    EventStore.open(data_dir).close()


async def test_a_part_that_fails_ends_the_hub_with_its_goodbye_and_its_error(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    hub = Hub(
        pair_id,
        PAIR,
        [WearerDevice(name, watch.address, BangleDriver()) for name, watch in watches.items()],
        mosquitto.address,
        observer=Recorder().bus.publish,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
        seal=pair_seal(pair_id),
    )

    async def page_that_fails() -> None:
        await hub.ready()
        raise OSError("the page's socket went away")

    said: list[str] = []
    parts = {
        "hub": asyncio.create_task(hub.run()),
        "web page": asyncio.create_task(page_that_fails()),
    }
    async with asyncio.timeout(40):
        status = await run_until_stopped(hub, parts, asyncio.Event(), said.append)
    assert status == 1
    assert said == [
        "stopping: telling the wearables, sending what is left",
        "stopped by an error in the web page: OSError: the page's socket went away",
    ]
    assert all(task.done() for task in parts.values())
    # As after SIGTERM: each wearer felt the hub go and was let go of, and it said offline.
    goodbye = [(pulse.on_ms, pulse.strength) for pulse in HUB_STOPPING.pulses]
    for watch in watches.values():
        assert [(b.ms, b.strength) for b in watch.buzzes][-len(goodbye) :] == goodbye
        assert not watch.connected
    async with aiomqtt.Client("127.0.0.1", mosquitto.port) as late:
        await late.subscribe(f"comfort/v1/{pair_id}/hub/+/status", qos=1)
        async with asyncio.timeout(5):
            message = await anext(aiter(late.messages))
    assert isinstance(message.payload, bytes)
    assert status_of(message.payload) == "offline"
