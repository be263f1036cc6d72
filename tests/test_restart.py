"""A hub killed during a stop comes back in stop, says so, and the broker agrees."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hub_processes import HubProcess
from tests.hubs import mqtt_peer


@pytest.mark.timeout(90)
async def test_a_hub_killed_during_a_stop_comes_back_in_stop(
    mosquitto: Mosquitto, pair_id: str, tmp_path: Path
) -> None:
    store = tmp_path / "hub-data"
    first = await HubProcess.start(pair_id, mosquitto.port, store)
    try:
        await first.send("press alex 1500")
        await wait_until(lambda: bool(first.saw(type="signal", wearer="alex", signal="stop")))
        await wait_until(lambda: bool(first.saw(type="alert", wearer="sam", signal="stop")))
        # Sam's wrist is buzzed before the disk is waited for; the save comes next and the
        # publish after it, so once the broker has the stop it is on disk too.
        async with mqtt_peer(mosquitto.address, pair_id) as early_watcher:
            await wait_until(
                lambda: [s.get("signal") for s in early_watcher.on("alex/state")][-1:] == ["stop"]
            )
    finally:
        await first.kill()

    async with mqtt_peer(mosquitto.address, pair_id) as watcher:
        second = await HubProcess.start(pair_id, mosquitto.port, store)
        try:
            # It says so...
            (restored,) = second.saw(type="restored")
            assert (restored["wearer"], restored["signal"]) == ("alex", "stop")
            # ...tells the partner again...
            await wait_until(lambda: bool(second.saw(type="alert", wearer="sam", signal="stop")))
            (again,) = second.saw(type="signal", wearer="alex")
            assert (again["signal"], again["source"]) == ("stop", "link")
            first_stop = first.saw(type="signal", wearer="alex")[0]
            assert again["seq"] == first_stop["seq"] + 1, "the signal counter survives too"
            # ...and the retained state on the broker agrees.
            await wait_until(
                lambda: [s.get("id") for s in watcher.on("alex/state")][-1:] == [again["id"]]
            )
            assert watcher.on("alex/state")[-1]["signal"] == "stop"

            # The level is held: a small pattern does not lower it; alex can still resume.
            for _ in range(2):
                await second.send("tap alex")
            await asyncio.sleep(0.5)
            assert len(second.saw(type="signal", wearer="alex")) == 1
            await second.send("press alex")
            await second.send("press alex")
            await wait_until(lambda: bool(second.saw(type="signal", signal="resume")))
        finally:
            await second.close()
