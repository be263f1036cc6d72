"""A hub in a process of its own, for tests that kill it: ``python -m tests.hub_process``.

Arguments: PAIR_ID BROKER_PORT DATA_DIR (where its event store is) [WEARERS, comma-separated;
both by default]. It prints one JSON event per line (and ``{"type": "ready"}``) and obeys lines on
stdin: ``press WEARER MS``, ``tap WEARER``, ``heart WEARER BPM``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub import BrokerAddress, EventBus, Hub, HubEvent, SessionSettings, WearerDevice, event_json
from hub._signing import MessageSeal
from hub.store import EventStore, SessionRecorder
from tests.hubs import pair_key


def emit(record: dict[str, object]) -> None:
    print(json.dumps(record, default=str), flush=True)


ADDRESSES = {"alex": "C0:00:00:00:D0:01", "sam": "C0:00:00:00:D0:02"}


async def main(pair_id: str, port: int, data_dir: str, wearers: list[str]) -> None:
    radio = SimRadio()
    watches = {name: radio.add(SimulatedBangle(ADDRESSES[name])) for name in wearers}

    store = EventStore.open(Path(data_dir))
    bus = EventBus()
    # The store hears each event before it is printed, as in a real hub before it matters.
    bus.subscribe(SessionRecorder(store, pair_id, ("alex", "sam")))

    def observe(event: HubEvent) -> None:
        emit(event_json(event))

    bus.subscribe(observe)

    hub = Hub(
        pair_id,
        ("alex", "sam"),
        [WearerDevice(name, watch.address, BangleDriver()) for name, watch in watches.items()],
        BrokerAddress("127.0.0.1", port),
        observer=bus.publish,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
        settings=SessionSettings(realert_interval_s=600),
        store=store,
        # Counters kept in the data directory, as a real hub keeps them.
        seal=MessageSeal(pair_key(pair_id), state_path=Path(data_dir) / "counters"),
    )
    task = asyncio.create_task(hub.run())
    await hub.ready()
    emit({"type": "ready"})
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            break
        command, wearer, *rest = line.split()
        if command == "press":
            watches[wearer].press(held_ms=int(rest[0]) if rest else 120)
        elif command == "heart":
            watches[wearer].heart(int(rest[0]))
        elif command == "tap":
            watches[wearer].tap()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


if __name__ == "__main__":
    chosen = sys.argv[4].split(",") if len(sys.argv) > 4 else ["alex", "sam"]
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], chosen))
