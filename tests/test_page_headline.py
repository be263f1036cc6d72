"""The page's big line never says "all clear" while either partner holds a level."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from firmware_bridge.sim import SimRadio
from tests.brokers import Mosquitto
from tests.browser import new_page, screenshot
from tests.hubs import running_hub, two_watches
from tests.test_page_browser import served, served_pair


async def test_the_headline_says_who_asked_for_stop_on_both_sides_until_it_is_lifted(
    mosquitto: Mosquitto, pair_id: str, browser: Browser
) -> None:
    async with served_pair(mosquitto, pair_id) as (_hub, _seen, watches, links):
        alex_context, page = await new_page(browser)
        sam_context, sams_page = await new_page(browser)
        async with alex_context, sam_context:
            # Each partner's phone opens their own printed link.
            await page.goto(links["alex"])
            await sams_page.goto(links["sam"])
            await expect(page.locator("#link")).to_contain_text("broker connected")
            alex = page.locator(".wearer", has_text="alex's side").locator(".level")
            sam = sams_page.locator(".wearer", has_text="sam's side").locator(".level")
            await expect(alex).to_have_text("all clear")

            watches["alex"].press(held_ms=1500)  # a long press: stop
            await expect(alex).to_have_text("You asked for STOP", timeout=2000)
            await expect(sam).to_have_text("alex asks you to STOP")
            await screenshot(page, "page-headline-holding-stop-phone")

            await (
                page.locator(".wearer", has_text="alex's side")
                .get_by_role("button", name="Resume")
                .click()
            )
            await expect(alex).to_have_text("all clear")
            await expect(sam).to_have_text("all clear")


async def test_lifting_a_stop_is_not_all_clear_while_the_partner_still_holds_a_level(
    mosquitto: Mosquitto, pair_id: str, browser: Browser
) -> None:
    async with served_pair(mosquitto, pair_id) as (_hub, _seen, watches, links):
        alex_context, page = await new_page(browser)
        sam_context, sams_page = await new_page(browser)
        async with alex_context, sam_context:
            await page.goto(links["alex"])
            await sams_page.goto(links["sam"])
            await expect(page.locator("#link")).to_contain_text("broker connected")
            alex_card = page.locator(".wearer", has_text="alex's side")
            sam_card = sams_page.locator(".wearer", has_text="sam's side")

            watches["alex"].press(held_ms=1500)  # stop
            await expect(sam_card.locator(".level")).to_have_text("alex asks you to STOP")
            watches["sam"].tap(double=True)
            await expect(sam_card.locator(".own")).to_contain_text("You asked for", timeout=3000)
            await expect(sam_card.locator(".level")).to_have_text("alex asks you to STOP")

            await alex_card.get_by_role("button", name="Resume").click()
            await expect(alex_card.locator(".level")).to_contain_text("sam asks you to")
            lifted = sams_page.locator("#log li", has_text="alex lifted their stop")
            await expect(lifted).to_contain_text("you still hold")  # sam's own page
            await expect(lifted).not_to_contain_text("all clear")
            await screenshot(sams_page, "page-headline-partner-still-holds-phone")


async def test_the_headline_names_a_partner_who_is_on_another_hub(
    mosquitto: Mosquitto, pair_id: str, browser: Browser
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    # Each partner on a hub of their own, sharing the broker: sam's hub never sees alex's wrist.
    async with (
        running_hub(mosquitto.address, pair_id, radio, {"alex": watches["alex"]}),
        running_hub(mosquitto.address, pair_id, radio, {"sam": watches["sam"]}) as (sams, seen),
        served(sams, seen.bus) as links,
    ):
        context, page = await new_page(browser)
        async with context:
            await page.goto(links["sam"])
            await expect(page.locator("#link")).to_contain_text("broker connected")
            sam = page.locator(".wearer", has_text="sam's side").locator(".level")
            await expect(sam).to_have_text("all clear")

            watches["alex"].press(held_ms=1500)  # a long press on alex's wrist: stop
            await expect(sam).to_have_text("alex asks you to STOP")
            card = page.locator("#log li", has_text="STOP")
            await expect(card).to_contain_text("alex asks you to STOP")
            await screenshot(page, "page-headline-partner-on-another-hub-phone")
