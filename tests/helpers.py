"""Small helpers shared by the tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from firmware_bridge import BleBackends, DeviceEvent, LinkEvent, WearableDriver, WearableLink
from firmware_bridge.sim import SimRadio, SimulatedPeripheral


async def wait_until(predicate: Callable[[], bool], within_s: float = 5.0) -> None:
    """Polls ``predicate`` until it holds; fails the test with a timeout otherwise."""
    async with asyncio.timeout(within_s):
        while not predicate():  # noqa: ASYNC110 - the conditions are plain data, not events
            await asyncio.sleep(0.005)


class LinkedDevice:
    """A driver linked to a simulated device, with everything it reported."""

    def __init__(self, link: WearableLink) -> None:
        self.link = link
        self.events: list[DeviceEvent] = []
        self.links: list[LinkEvent] = []


@asynccontextmanager
async def linked(
    radio: SimRadio,
    device: SimulatedPeripheral,
    driver: WearableDriver,
    *,
    stale_after_s: float | None = None,
) -> AsyncIterator[LinkedDevice]:
    """Runs a :class:`WearableLink` to ``device`` until the block ends."""
    events: list[DeviceEvent] = []
    links: list[LinkEvent] = []
    link = WearableLink(
        device.address,
        driver,
        on_event=events.append,
        on_link=links.append,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
        stale_after_s=stale_after_s,
    )
    result = LinkedDevice(link)
    result.events, result.links = events, links
    task = asyncio.create_task(link.run())
    try:
        async with asyncio.timeout(5):
            await link.connected.wait()
        yield result
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
