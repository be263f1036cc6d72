"""A pair of the soak: alex and sam, each on a hub of their own, and what their hubs saw.

Measured through the hubs' public surface (their events, simulated wrists), never session
internals.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub._broker import BrokerAddress
from hub._events import HubEvent, PartnerAlerted, SignalSent
from hub._hub import Hub, WearerDevice
from hub._pair_key import PairKey
from hub._session import SessionSettings
from hub._signing import MessageSeal

# Longer than a broker restart and the hubs' reconnection: later than this is lost.
DELIVERY_TIMEOUT_S = 15.0
# Re-alerts would be felt but are not new signals: keep them out of the count.
QUIET = SessionSettings(realert_interval_s=3600)


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
