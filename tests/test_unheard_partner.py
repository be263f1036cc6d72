"""A hub that never hears its partner's hub does not stay "all clear": the partner's hub not
started, on another pair name, or sealing with another pair key (its every message refused).
The local wearer is told to pause, as when a known partner hub goes silent, and told again
when the partner's hub is heard; refusals for another key say so, and the cure, once."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect

from firmware_bridge.sim import SimRadio
from hub import Hub, PartnerUnreachable, Refused, SessionSettings
from hub._pair_key import PairKey
from hub._signing import MessageSeal
from hub.rules import UNHEARD_AFTER_S, Unreachable
from hub.web import create_app, page_access
from signals import LINK_RESTORED, ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.browser import new_page, screenshot
from tests.helpers import wait_until
from tests.hubs import Recorder, running_hub, times_played, two_watches
from tests.pair_setups import two_hubs
from tests.test_page_browser import served

PAUSE = pattern_for(ComfortSignal.PAUSE)
STOP = pattern_for(ComfortSignal.STOP)
NO_REALERT = SessionSettings(realert_interval_s=600)
# The grace, then the link-lost notice played on a busy machine.
NOTICED_WITHIN_S = UNHEARD_AFTER_S + 10
UNHEARD = "alex's hub has not been heard: signals may not reach them; pause"


async def page_status(hub: Hub, seen: Recorder, wearer: str) -> dict[str, Any]:
    """``/api/status`` as ``wearer``'s page reads it."""
    access = page_access(hub)
    transport = httpx.ASGITransport(app=create_app(hub, seen.bus, access))
    cookies = {f"comfort_{wearer}": access.token_for(wearer)}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://127.0.0.1:8080", cookies=cookies
    ) as web:
        answer = await web.get("/api/status")
    answer.raise_for_status()
    status: dict[str, Any] = answer.json()
    return status


def unheard_notices(seen: Recorder) -> list[str]:
    return [n.reason for n in seen.of(PartnerUnreachable) if not n.back]


async def test_a_partner_hub_with_another_pair_key_is_unreachable_and_the_page_says_why(
    mosquitto: Mosquitto, pair_id: str, caplog: pytest.LogCaptureFixture, browser: Browser
) -> None:
    caplog.set_level(logging.INFO)
    alive = f"comfort/v1/{pair_id}/hub/alex/alive"
    # sam's hub started on a fresh data folder: it made a pair key of its own.
    async with two_hubs(
        mosquitto.address,
        pair_id,
        settings=NO_REALERT,
        seal=lambda _: MessageSeal(PairKey.generate(pair_id)),
    ) as (alex, sam, _, _, sam_hub, sam_seen):
        alex.press(held_ms=1500)  # `sim hold alex`: alex's stop, which sam's hub refuses
        await wait_until(lambda: times_played(sam, PAUSE) == 1, within_s=NOTICED_WITHIN_S)
        assert unheard_notices(sam_seen) == [Unreachable.PARTNER_HUB_UNHEARD.value]
        assert times_played(sam, STOP) == 0

        status = await page_status(sam_hub, sam_seen, "sam")
        (sams,) = status["wearers"]
        assert sams["partner_unreachable"] == UNHEARD
        assert sams["partner_level"] is None
        notice = status["pair_key_notice"]
        assert alive in notice
        assert "pair keys of the two hubs differ" in notice
        assert "comfort-hub pair-key show" in notice and "comfort-hub pair-key add" in notice

        # alex's hub beats every second; its refusal is said once, in the log and on the page.
        refused = sam_hub.relay.refused
        await wait_until(lambda: sam_hub.relay.refused >= refused + 3)
        said = [r.getMessage() for r in caplog.records if f"on {alive}:" in r.getMessage()]
        logged = [line for line in said if r"pair-key add" in line]
        assert len(logged) == 1, said
        assert len([e for e in sam_seen.of(Refused) if alive in e.reason]) == 1
        assert unheard_notices(sam_seen) == [Unreachable.PARTNER_HUB_UNHEARD.value]

        # sam's phone says it too, where "all clear" stood.
        async with served(sam_hub, sam_seen.bus) as links:
            context, page = await new_page(browser)
            async with context:
                await page.goto(links["sam"])
                await expect(page.locator(".wearer.pause .level")).to_have_text(UNHEARD)
                await expect(page.locator("#keys")).to_contain_text("pair keys of the two")
                await expect(page.locator("#keys")).to_contain_text(alive)
                await screenshot(page, "live-page-partner-hub-unheard")


async def test_a_partner_hub_never_started_is_unreachable_until_it_is_heard(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    alex, sam = watches["alex"], watches["sam"]
    async with running_hub(
        mosquitto.address, pair_id, radio, {"sam": sam}, settings=NO_REALERT
    ) as (sam_hub, sam_seen):
        await wait_until(lambda: times_played(sam, PAUSE) == 1, within_s=NOTICED_WITHIN_S)
        assert unheard_notices(sam_seen) == [Unreachable.PARTNER_HUB_UNHEARD.value]
        (sams,) = (await page_status(sam_hub, sam_seen, "sam"))["wearers"]
        assert sams["partner_unreachable"] == UNHEARD

        # alex's hub starts at last: sam is told the link is back, and alex's stop arrives.
        async with running_hub(
            mosquitto.address, pair_id, radio, {"alex": alex}, settings=NO_REALERT
        ):
            await wait_until(lambda: times_played(sam, LINK_RESTORED) == 1)
            (sams,) = (await page_status(sam_hub, sam_seen, "sam"))["wearers"]
            assert sams["partner_unreachable"] is None
            alex.press(held_ms=1500)
            await wait_until(lambda: times_played(sam, STOP) == 1)
        assert times_played(sam, PAUSE) == 1, "told once, not again and again"


async def test_a_partner_hub_on_a_mistyped_pair_name_is_unreachable(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    async with (
        running_hub(
            mosquitto.address, f"{pair_id}o", radio, {"alex": watches["alex"]}, settings=NO_REALERT
        ),
        running_hub(
            mosquitto.address, pair_id, radio, {"sam": watches["sam"]}, settings=NO_REALERT
        ) as (_, sam_seen),
    ):
        await wait_until(lambda: times_played(watches["sam"], PAUSE) == 1, NOTICED_WITHIN_S)
        assert unheard_notices(sam_seen) == [Unreachable.PARTNER_HUB_UNHEARD.value]
