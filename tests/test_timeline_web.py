"""The timeline's routes without a browser: static files only from their folder."""

from __future__ import annotations

import httpx

from firmware_bridge.sim import SimRadio
from hub import BrokerAddress
from hub.web import create_app, page_access
from tests.hubs import running_hub, two_watches

ESCAPES = ("/static//etc/passwd", "/static/../_app.py", "/static/vendor/%2e%2e/index.html")


async def test_the_static_route_serves_its_folder_and_nothing_else(
    broker: BrokerAddress, pair_id: str
) -> None:
    radio = SimRadio()
    async with running_hub(broker, pair_id, radio, two_watches(radio)) as (hub, seen):
        access = page_access(hub)
        transport = httpx.ASGITransport(app=create_app(hub, seen.bus, access))
        cookies = {f"comfort_{w}": access.token_for(w) for w in access.wearers}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1:8080", cookies=cookies
        ) as web:
            assert (await web.get("/static/feed.js")).status_code == 200
            assert "uPlot" in (await web.get("/static/vendor/uPlot.iife.min.js")).text
            for escape in ESCAPES:
                assert (await web.get(escape)).status_code == 404, escape
            # A hub started without an event store says so instead of failing.
            listed = await web.get("/api/sessions")
            assert listed.status_code == 404
            assert "keeps no sessions" in listed.json()["detail"]
