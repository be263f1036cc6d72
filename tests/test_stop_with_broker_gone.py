"""A hub told to stop while its broker is gone stops, bounded: it says what the broker never
took, and says it again at its next start; a second SIGTERM stops it at once."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import aiomqtt
import pytest

from hub._together import together as _together
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import mqtt_peer
from tests.test_shutdown import WATCHES, ServiceProcess


def config(tmp_path: Path, pair_id: str, broker: Mosquitto, extra: str = "") -> Path:
    path = tmp_path / "hub.toml"
    devices = "".join(
        f'\n[[devices]]\nwearer = "{wearer}"\nprofile = "bangle"\naddress = "{address}"\n'
        for wearer, address in WATCHES.items()
    )
    path.write_text(
        f'pair = "{pair_id}"\nwearers = ["alex", "sam"]\n'
        f'broker = "mqtt://127.0.0.1:{broker.port}"\n{extra}'
        f"[web]\nenabled = false\n{devices}"
    )
    return path


async def start_hub(config_path: Path) -> ServiceProcess:
    """``comfort-hub run`` on simulated watches, running and connected to its watches."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.service_process",
        str(config_path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=Path(__file__).parent.parent,
    )
    hub = ServiceProcess(process)
    await wait_until(lambda: bool(hub.of("alex", "connected") and hub.of("sam", "connected")), 20)
    await wait_until(lambda: said(hub, "MQTT broker connected"), 20)
    return hub


def said(hub: ServiceProcess, words: str) -> bool:
    return any(words in line for line in hub.console)


async def sam_stops_while_the_broker_is_gone(hub: ServiceProcess, mosquitto: Mosquitto) -> None:
    await mosquitto.kill()
    await wait_until(lambda: said(hub, "MQTT broker LOST"), 10)
    await hub.send("press sam 1500")  # sam's stop waits in the outbox
    await wait_until(lambda: said(hub, "sam signals STOP"), 10)
    assert hub.process.stdin is not None
    hub.process.stdin.close()


@pytest.mark.timeout(90)
async def test_a_hub_stopped_with_its_broker_gone_stops_names_what_is_unsent_and_sends_it_later(
    tmp_path: Path, pair_id: str, mosquitto: Mosquitto
) -> None:
    path = config(tmp_path, pair_id, mosquitto)
    hub = await start_hub(path)
    await sam_stops_while_the_broker_is_gone(hub, mosquitto)
    hub.process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(30):
        assert await hub.finish() == 0, "".join(hub.console)
    assert said(hub, "hub stopped")
    (unsent,) = [line for line in hub.console if "the broker did not take" in line]
    assert "sam/signal" in unsent and "sam/state" in unsent

    # Next start, with the broker back: sam's stop reaches the partner's side.
    await mosquitto.start()
    async with mqtt_peer(mosquitto.address, pair_id) as partner_side:
        again = await start_hub(path)
        await wait_until(
            lambda: [s["signal"] for s in partner_side.on("sam/state")][-1:] == ["stop"], 15
        )
        assert again.process.stdin is not None
        again.process.stdin.close()
        again.process.send_signal(signal.SIGTERM)
        assert await again.finish() == 0, "".join(again.console)


@pytest.mark.timeout(90)
async def test_a_second_sigterm_stops_a_hub_waiting_for_its_broker_at_once(
    tmp_path: Path, pair_id: str, mosquitto: Mosquitto
) -> None:
    # The broker is given far longer than the test waits: only the second SIGTERM ends it.
    path = config(tmp_path, pair_id, mosquitto, "shutdown_send_timeout_s = 600\n")
    hub = await start_hub(path)
    await sam_stops_while_the_broker_is_gone(hub, mosquitto)
    hub.process.send_signal(signal.SIGTERM)
    await wait_until(lambda: said(hub, "stopping: telling the wearables"), 10)
    hub.process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(30):
        assert await hub.finish() == 128 + signal.SIGTERM
    (at_once,) = [line for line in hub.console if "stopping at once" in line]
    assert "SIGTERM again" in at_once and "sam/state" in at_once


async def test_a_cancellation_that_lands_as_a_relay_job_fails_is_never_lost() -> None:
    """Python 3.11's TaskGroup raised the job's error instead and dropped the cancellation: a
    relay told to stop as its broker died took it for a lost broker and reconnected forever."""
    broker_gone = asyncio.Event()
    let_go = asyncio.Event()

    async def receive() -> None:
        await broker_gone.wait()
        raise aiomqtt.MqttError("Disconnected during message iteration")

    async def send() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await let_go.wait()  # a publish under way takes a moment to give up

    running = asyncio.create_task(_together(receive(), send()))
    await asyncio.sleep(0)
    broker_gone.set()
    for _ in range(3):
        await asyncio.sleep(0)  # receive has failed; send is ending
    running.cancel()  # the hub is told to stop at that moment
    let_go.set()
    with pytest.raises(asyncio.CancelledError):
        await running
