"""The page in a real browser: headless Chromium shows the partner's stop and acknowledges it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from playwright.async_api import Browser, expect

from firmware_bridge.sim import SimRadio
from hub._broker import free_loopback_port
from hub._bus import EventBus
from hub._hub import Hub
from hub.web import serve
from signals import CONFIRMATION
from tests.brokers import Mosquitto
from tests.browser import new_page, screenshot
from tests.helpers import wait_until
from tests.hubs import running_hub, times_played, two_watches


@contextlib.asynccontextmanager
async def served(hub: Hub, bus: EventBus) -> AsyncIterator[str]:
    port = free_loopback_port()
    server = asyncio.create_task(serve(hub, bus, port=port, say=lambda _: None))
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)


async def test_the_page_in_chromium_shows_a_stop_and_its_ack_reaches_the_signaller(
    mosquitto: Mosquitto, pair_id: str, browser: Browser
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    async with (
        running_hub(mosquitto.address, pair_id, radio, watches) as (hub, seen),
        served(hub, seen.bus) as url,
    ):
        context, page = await new_page(browser)
        async with context:
            await page.goto(url)
            await expect(page.locator("#link")).to_contain_text("broker connected")

            watches["alex"].press(held_ms=1500)  # a long press: stop
            card = page.locator(".wearer.stop")
            await expect(card).to_contain_text("STOP", timeout=2000)
            await screenshot(page, "live-page-stop-phone")

            await card.get_by_role("button", name="I noticed").click()
            await wait_until(lambda: times_played(watches["alex"], CONFIRMATION) == 1)
