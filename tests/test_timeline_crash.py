"""A hub killed (SIGKILL) mid-session loses nothing it had sent; the session says it crashed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hub.store import DATABASE_NAME, StoreReader
from hub.timeline import build_timeline
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hub_processes import HubProcess
from tests.hubs import MqttPeer, mqtt_peer


@pytest.mark.timeout(90)
async def test_a_killed_hub_keeps_every_signal_ack_and_level_and_marks_the_crash(
    mosquitto: Mosquitto, pair_id: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "hub-data"
    first = await HubProcess.start(pair_id, mosquitto.port, data_dir)
    try:
        async with mqtt_peer(mosquitto.address, pair_id) as watcher:
            await _signal_ack_and_stop(first, watcher)
    finally:
        await first.kill()
    sent = {e["id"]: e["signal"] for e in first.saw(type="signal")}
    acked = {e["id"] for e in first.saw(type="ack")}

    # The next hub to open the store finds the session left open, and marks it.
    second = await HubProcess.start(pair_id, mosquitto.port, data_dir)
    await second.close()
    store = StoreReader(data_dir / DATABASE_NAME)
    crashed = store.sessions()[0]
    assert crashed.ended_by == "crash"
    assert crashed.ended_at is not None and crashed.ended_at >= crashed.started_at

    timeline = build_timeline(store, crashed.id)
    kept = {e["id"]: e["signal"] for e in timeline["events"] if e["type"] == "signal"}
    assert kept == sent
    assert {e["id"] for e in timeline["events"] if e["type"] == "ack"} == acked
    assert [(b["wearer"], b["level"]) for b in timeline["bands"]] == [
        ("alex", "slow_down"),
        ("alex", "stop"),
    ]
    # The level alex held when the hub died is what the second hub came back with.
    assert second.saw(type="restored")[0]["signal"] == "stop"
    # ... and the second session's timeline holds that stop from the moment the hub came back
    # with it (the restored level), in one band though the level was also said again.
    (restarted,) = store.sessions()[1:]
    timeline = build_timeline(store, restarted.id)
    (came_back,) = [e["time"] for e in timeline["events"] if e["type"] == "restored"]
    bands = [(b["wearer"], b["level"], b["start"]) for b in timeline["bands"]]
    assert bands == [("alex", "stop", came_back)]


async def _signal_ack_and_stop(first: HubProcess, watcher: MqttPeer) -> None:
    """A slow_down sam acknowledges, then a stop sam acknowledges: the hub dies right after
    the second ack has left it (so it was on disk: a row is durable before its publish)."""
    await first.send("heart alex 71")
    await first.send("tap alex")
    await first.send("tap alex")
    await wait_until(lambda: bool(first.saw(type="signal", signal="slow_down")))
    await asyncio.sleep(1.0)  # sam takes a moment to notice (a quick second press is a pair)
    await first.send("press sam")
    await wait_until(lambda: bool(first.saw(type="confirmed")))
    await first.send("press alex 1500")
    await wait_until(lambda: bool(first.saw(type="alert", wearer="sam", signal="stop")))
    await asyncio.sleep(1.0)
    await first.send("press sam")
    await wait_until(lambda: len(first.saw(type="ack")) == 2)
    # Sam's wrist is told at once, the ack's row is written next and only then published:
    # what the hub printed may not be on disk yet, what the broker has is.
    acked = {e["id"] for e in first.saw(type="ack")}
    await wait_until(lambda: acked <= {a["id"] for a in watcher.on("sam/ack")})
