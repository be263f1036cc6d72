"""The page in a real browser: headless Chromium shows the partner's stop and acknowledges it."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import NamedTuple

from playwright.async_api import Browser, expect

from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub import EventBus, Hub, Realerted, SessionSettings, free_loopback_port
from hub.web import serve
from signals import CONFIRMATION
from tests.brokers import Mosquitto
from tests.browser import new_page, screenshot
from tests.helpers import wait_until
from tests.hubs import Recorder, running_hub, times_played, two_watches


@contextlib.asynccontextmanager
async def served(hub: Hub, bus: EventBus) -> AsyncIterator[dict[str, str]]:
    """The page served as the hub serves it; yields the links it printed, by wearer."""
    said: list[str] = []
    server = asyncio.create_task(serve(hub, bus, port=free_loopback_port(), say=said.append))
    try:
        await wait_until(lambda: len(said) == len(hub.links))
        links = {}
        for line in said:
            found = re.match(r"(\w+)'s page: (http://\S+)", line)
            assert found, line
            links[found[1]] = found[2]
        yield links
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)


class ServedPair(NamedTuple):
    """Both wearers on one hub with its page served: what a page test works with."""

    hub: Hub
    seen: Recorder
    watches: dict[str, SimulatedBangle]
    links: dict[str, str]


@contextlib.asynccontextmanager
async def served_pair(mosquitto: Mosquitto, pair_id: str) -> AsyncIterator[ServedPair]:
    """alex and sam wearing simulated watches on one hub, its page served."""
    radio = SimRadio()
    watches = two_watches(radio)
    async with (
        running_hub(mosquitto.address, pair_id, radio, watches) as (hub, seen),
        served(hub, seen.bus) as links,
    ):
        yield ServedPair(hub, seen, watches, links)


async def test_the_page_in_chromium_shows_a_stop_and_its_ack_reaches_the_signaller(
    mosquitto: Mosquitto, pair_id: str, browser: Browser
) -> None:
    async with served_pair(mosquitto, pair_id) as (_hub, _seen, watches, links):
        context, page = await new_page(browser)
        async with context:
            # sam opens the link the hub printed for sam, as from a QR code on the phone.
            await page.goto(links["sam"])
            assert page.url.endswith("/wearers/sam"), "the token leaves the address bar"
            await expect(page.locator("#link")).to_contain_text("broker connected")
            await expect(page.locator("#wearers .wearer")).to_have_count(1)  # sam's side only

            watches["alex"].press(held_ms=1500)  # a long press: stop
            card = page.locator(".wearer.stop")
            await expect(card).to_contain_text("STOP", timeout=2000)
            await screenshot(page, "live-page-stop-phone")

            await card.get_by_role("button", name="I noticed").click()
            await wait_until(lambda: times_played(watches["alex"], CONFIRMATION) == 1)


async def test_a_stop_alerted_again_and_again_stays_one_current_line_on_the_page(
    mosquitto: Mosquitto, pair_id: str, browser: Browser
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    # Re-alerted quickly, so that a few pile up before sam notices.
    often = SessionSettings(realert_interval_s=0.3)
    async with (
        running_hub(mosquitto.address, pair_id, radio, watches, settings=often) as (hub, seen),
        served(hub, seen.bus) as links,
    ):
        context, page = await new_page(browser)
        async with context:
            await page.goto(links["sam"])
            await expect(page.locator("#link")).to_contain_text("broker connected")

            watches["alex"].press(held_ms=1500)  # a long press: stop
            stop = page.locator("li.card.signal.stop")
            await expect(stop.locator(".words")).to_have_text("alex asks you to STOP")
            await wait_until(lambda: len(seen.of(Realerted)) >= 3)
            # Where things stand, once: not a note appended for every re-alert.
            await expect(stop.locator(".after")).to_have_text(
                re.compile(r"^ — you have not noticed yet, alerted again [0-9]+ times$")
            )
            await screenshot(page, "live-page-stop-realerted-phone")

            await page.locator(".wearer.stop").get_by_role("button", name="I noticed").click()
            await expect(stop.locator(".after")).to_have_text(
                re.compile(r"^ — alerted again [0-9]+ times; you noticed [0-9.]+ s later")
            )
            await expect(stop).not_to_contain_text("not noticed yet")
