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

BASE_URL = "http://127.0.0.1:8080"


@dataclass
class PracticeRoom:
    hub: Hub
    seen: Recorder
    watches: dict[str, SimulatedBangle]
    web: httpx.AsyncClient
    peer: MqttPeer
    # Each wearer's own phone: only that wearer's token.
    phones: dict[str, httpx.AsyncClient]

    async def api(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.web.request(method, path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def as_wearer(
        self, wearer: str, method: str, path: str, body: Any = None
    ) -> httpx.Response:
        """A request from ``wearer``'s own phone (their token alone)."""
        return await self.phones[wearer].request(method, path, json=body)

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
        tokens = {w: access.token_for(w) for w in access.wearers}
        async with contextlib.AsyncExitStack() as clients:

            async def client(cookies: dict[str, str]) -> httpx.AsyncClient:
                made = httpx.AsyncClient(transport=transport, base_url=BASE_URL, cookies=cookies)
                return await clients.enter_async_context(made)

            # Both wearers' pages in one client: each acts under its own wearer's paths.
            web = await client({f"comfort_{w}": token for w, token in tokens.items()})
            phones = {w: await client({f"comfort_{w}": token}) for w, token in tokens.items()}
            yield PracticeRoom(hub, seen, watches, web, peer, phones)
