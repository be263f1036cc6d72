"""In Chromium: the page opens as the wearer its token is for, and a refused action says so."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Browser, expect

from signals import CONFIRMATION
from tests.brokers import Mosquitto
from tests.browser import new_page, screenshot
from tests.helpers import wait_until
from tests.hubs import times_played
from tests.test_page_browser import served_pair


async def test_sams_browser_never_shows_alexs_controls_and_a_refused_ack_says_so(
    mosquitto: Mosquitto, pair_id: str, browser: Browser
) -> None:
    async with served_pair(mosquitto, pair_id) as (hub, _seen, watches, links):
        parts = urlsplit(links["sam"])
        base = f"{parts.scheme}://{parts.netloc}"
        context, page = await new_page(browser)
        async with context:
            await page.goto(links["sam"])  # only sam's cookie from here on

            # Asking for alex's page with sam's token is refused, plainly; no controls.
            opened = await page.goto(f"{base}/?wearer=alex")
            assert opened is not None and opened.status == 403
            await expect(page.locator("body")).to_contain_text("may not act for 'alex'")
            await expect(page.get_by_role("button")).to_have_count(0)

            # Any way in opens sam's own page: sam's side only.
            for way_in in ("/?wearer=sam", "/"):
                await page.goto(f"{base}{way_in}")
                assert urlsplit(page.url).path == "/wearers/sam", way_in
            await expect(page.locator("#wearers .wearer")).to_have_count(1)
            await expect(page.locator("#wearers .wearer")).to_contain_text("sam's side")

            watches["alex"].press(held_ms=1500)  # alex's stop reaches sam's page
            card = page.locator(".wearer.stop")
            await expect(card).to_contain_text("STOP")

            # The hub no longer knows this browser (its cookie gone, or the links revoked):
            # the "I noticed" is refused, and the page says so rather than looking done.
            await context.clear_cookies()
            await card.get_by_role("button", name="I noticed").click()
            notice = page.locator("#notice")
            await expect(notice).to_be_visible()
            await expect(notice).to_contain_text("Refused: open the page with the link")
            await screenshot(page, "live-page-refused-ack-phone")
            assert hub.session.awaiting_ack("sam") is not None
            assert times_played(watches["alex"], CONFIRMATION) == 0

            # Opened again with the printed link, the same button works.
            await page.goto(links["sam"])
            await page.locator(".wearer.stop").get_by_role("button", name="I noticed").click()
            await wait_until(lambda: times_played(watches["alex"], CONFIRMATION) == 1)
