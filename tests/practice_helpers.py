"""A hub with two simulated watches, its page API, and a recording MQTT peer, for the
practice tests (agreement, rehearsal, check-ins, aftercare)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub import BrokerAddress, Hub
from hub.web import create_app, page_access
from tests.hubs import MqttPeer, Recorder, mqtt_peer, running_hub, two_watches


@dataclass
class PracticeRoom:
    hub: Hub
    seen: Recorder
    watches: dict[str, SimulatedBangle]
    web: httpx.AsyncClient
    peer: MqttPeer

    async def api(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.web.request(method, path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def state(self, wearer: str) -> dict[str, Any]:
        return await self.api("GET", f"/api/practice/{wearer}")  # type: ignore[no-any-return]

    async def taps(self, wearer: str, count: int, gap_s: float = 0.2) -> None:
        for index in range(count):
            if index:
                await asyncio.sleep(gap_s)
            self.watches[wearer].tap()

    async def presses(self, wearer: str, count: int, gap_s: float = 0.25) -> None:
        for index in range(count):
            if index:
                await asyncio.sleep(gap_s)
            self.watches[wearer].press()


@contextlib.asynccontextmanager
async def practice_room(broker: BrokerAddress, pair_id: str) -> AsyncIterator[PracticeRoom]:
    radio = SimRadio()
    watches = two_watches(radio)
    async with (
        mqtt_peer(broker, pair_id) as peer,
        running_hub(broker, pair_id, radio, watches) as (hub, seen),
    ):
        access = page_access(hub)
        transport = httpx.ASGITransport(app=create_app(hub, seen.bus, access))
        # Both wearers' pages in one client: each acts under its own wearer's paths.
        cookies = {f"comfort_{w}": access.token_for(w) for w in access.wearers}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1:8080", cookies=cookies
        ) as web:
            yield PracticeRoom(hub, seen, watches, web, peer)
