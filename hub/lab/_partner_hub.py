"""The partner's hub for ``bench latency``, in a process of its own.

Two hubs sharing one process and event loop would queue behind each other (the signaller's
hub handles its own echoed signal before the partner's hub gets its turn), which hubs on two
machines never do. Run as ``python -m hub.lab._partner_hub BROKER_URL PAIR_ID HOP_TOPIC``:
it says ``ready`` once its hub and simulated watch are connected and its bare-hop subscriber
listens on HOP_TOPIC, then ``buzz <time>`` for every buzz command the watch receives and
``hop <time>`` for every bare-hop message, timed on the system's monotonic clock (which every
process on the machine shares, so the benchmark can subtract its own times from these). It
stops on SIGTERM.
The broker's user name and password, if any, and the pair key come in the environment (never
on a command line, where any user of the machine can read them).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub._broker import BrokerAddress
from hub._hub import Hub, WearerDevice
from hub._pair_key import PairKey
from hub._session import SessionSettings
from hub._signing import MessageSeal
from hub.lab._bare_hop import listen_for_hops
from hub.lab._remote_partner import (
    KEY_VARIABLE,
    PARTNER_ADDRESS,
    PASSWORD_VARIABLE,
    READY_TIMEOUT_S,
    USER_VARIABLE,
)


async def serve(broker: BrokerAddress, pair_id: str, key: PairKey, hop_topic: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    radio = SimRadio()
    sam = radio.add(SimulatedBangle(PARTNER_ADDRESS))
    hub = Hub(
        pair_id,
        ("alex", "sam"),
        [WearerDevice("sam", sam.address, BangleDriver())],
        broker,
        observer=lambda event: None,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
        # Re-alerts would add buzzes nobody measures.
        settings=SessionSettings(realert_interval_s=3600),
        seal=MessageSeal(key),
    )
    running = asyncio.create_task(hub.run())
    reporting = asyncio.create_task(_report_buzzes(sam))
    hop_listening = asyncio.Event()
    hopping = asyncio.create_task(
        listen_for_hops(
            broker, hop_topic, hop_listening.set, lambda at: print(f"hop {at!r}", flush=True)
        )
    )
    try:
        async with asyncio.timeout(READY_TIMEOUT_S):
            await hub.ready()
            await hop_listening.wait()
        print("ready", flush=True)
        await stop.wait()
    finally:
        for task in (hopping, reporting, running):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _report_buzzes(watch: SimulatedBangle) -> None:
    reported = 0
    while True:
        buzzes = await watch.wait_for_buzzes(reported + 1)
        for buzz in buzzes[reported:]:
            print(f"buzz {buzz.at!r}", flush=True)
        reported = len(buzzes)


if __name__ == "__main__":
    where = BrokerAddress.parse(sys.argv[1])
    broker = BrokerAddress(
        where.host, where.port, os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    )
    asyncio.run(serve(broker, sys.argv[2], PairKey.parse(os.environ[KEY_VARIABLE]), sys.argv[3]))
