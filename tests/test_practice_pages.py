"""The agreement, rehearsal and aftercare pages in headless Chromium, phone-sized, as each
partner would hold them; screenshots go to build/screenshots/."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from playwright.async_api import Browser, Page, expect

from firmware_bridge.sim import SimulatedBangle
from hub import Hub
from hub.practice import AFTERCARE_PULSE
from signals import CONFIRMATION, ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.browser import new_page, screenshot
from tests.helpers import wait_until
from tests.hubs import times_played
from tests.test_page_browser import served_pair


@contextlib.asynccontextmanager
async def two_phones(
    mosquitto: Mosquitto, pair_id: str, browser: Browser, page_name: str
) -> AsyncIterator[tuple[Hub, dict[str, SimulatedBangle], Page, Page]]:
    """alex's and sam's phones, each on their own ``page_name`` page."""
    async with served_pair(mosquitto, pair_id) as (hub, _seen, watches, links):
        alex_context, alex = await new_page(browser)
        sam_context, sam = await new_page(browser)
        url = links["alex"].split("wearers/")[0]
        async with alex_context, sam_context:
            # Each phone opens its wearer's printed link first: that is its key to the hub.
            await alex.goto(links["alex"])
            await sam.goto(links["sam"])
            await alex.goto(f"{url}practice/alex/{page_name}")
            await sam.goto(f"{url}practice/sam/{page_name}")
            yield hub, watches, alex, sam


async def test_the_agreement_pages_say_not_agreed_until_both_confirm_and_share_the_plan(
    mosquitto: Mosquitto, pair_id: str, browser: Browser
) -> None:
    async with two_phones(mosquitto, pair_id, browser, "agreement") as (hub, watches, alex, sam):
        for phone in (alex, sam):
            await expect(phone.locator("#agreement-status")).to_contain_text(
                "have not been agreed yet"
            )
            await expect(phone.locator("#gestures")).to_contain_text("two taps: slow down")
        await expect(alex.locator("#check")).to_contain_text("contagious skin condition")

        # Not agreed, yet a stop goes through at once.
        watches["sam"].press(held_ms=1500)
        await wait_until(
            lambda: times_played(watches["alex"], pattern_for(ComfortSignal.STOP)) == 1
        )
        await screenshot(alex, "practice-agreement-missing-phone")

        await alex.get_by_role("button", name="I know these signals and agree to them").click()
        await expect(alex.locator("#confirmed")).to_be_visible()
        await expect(sam.locator("#agreement-status")).to_contain_text("waiting for sam")
        await sam.get_by_role("button", name="I know these signals and agree to them").click()
        for phone in (alex, sam):
            await expect(phone.locator("#agreement-status")).to_contain_text("both agreed")

        await sam.locator("#music_and_lighting").fill("rain sounds, one warm lamp")
        await sam.locator("#safeword").fill("amber")
        await sam.get_by_role("button", name="Save the plan").click()
        await expect(alex.locator("#plan-notice")).to_contain_text("sam changed the plan")
        await expect(alex.locator("#safeword")).to_have_value("amber")
        assert hub.practice.records.plan_changes[-1].by == "sam"
        await screenshot(alex, "practice-agreement-agreed-phone")

        # During the session, the live page keeps the agreement and the plan in view.
        await alex.goto(alex.url.split("/practice/")[0] + "/")
        await expect(alex.locator("#agreed")).to_contain_text("both agreed")
        await expect(alex.locator("#plan")).to_contain_text("safeword: amber")
        await screenshot(alex, "practice-live-page-plan-phone")


async def test_the_rehearsal_pages_show_each_gesture_and_the_hint_for_a_slow_double_tap(
    mosquitto: Mosquitto, pair_id: str, browser: Browser
) -> None:
    async with two_phones(mosquitto, pair_id, browser, "rehearsal") as (hub, watches, alex, sam):
        await alex.get_by_role("button", name="Start my rehearsal").click()
        await expect(alex.locator("#now")).to_contain_text("Now: two taps: slow down")
        await expect(sam.locator("#watching")).to_contain_text("alex is rehearsing")
        await screenshot(alex, "practice-rehearsal-step-phone")

        watches["alex"].tap()
        await asyncio.sleep(1.2)  # too slow: the hub joins taps up to 0.8 s apart
        watches["alex"].tap()
        await expect(alex.locator("#results")).to_contain_text("not recognised — too slow")
        await expect(alex.locator("#now")).to_contain_text("Now: three taps: pause")

        for _ in range(3):
            watches["alex"].tap()
            await asyncio.sleep(0.2)
        felt = sam.get_by_role("button", name="I felt it")
        await expect(felt).to_be_visible(timeout=5000)
        await screenshot(sam, "practice-rehearsal-partner-feels-phone")
        await felt.click()
        await expect(alex.locator("#results")).to_contain_text("three taps (pause): recognised")
        await expect(alex.locator("#results")).to_contain_text("felt")
        await screenshot(alex, "practice-rehearsal-results-phone")
        assert times_played(watches["sam"], pattern_for(ComfortSignal.PAUSE)) == 1
        assert hub.session.held("alex") is None  # practice, never a level

        await alex.get_by_role("button", name="End rehearsal").click()
        await expect(alex.get_by_role("button", name="Start my rehearsal")).to_be_visible()


async def test_the_rehearsal_page_says_how_to_stop_for_real_and_a_real_stop_ends_it(
    mosquitto: Mosquitto, pair_id: str, browser: Browser
) -> None:
    async with two_phones(mosquitto, pair_id, browser, "rehearsal") as (hub, watches, alex, sam):
        await alex.get_by_role("button", name="Start my rehearsal").click()
        await expect(alex.locator("#way-out")).to_contain_text("To stop for real with your wrist")
        await screenshot(alex, "practice-rehearsal-way-out-phone")

        for _ in range(4):  # a stop, while slow down is rehearsed
            watches["alex"].tap()
            await asyncio.sleep(0.2)
        await expect(alex.locator("#for-real")).to_contain_text("You made a real signal")
        await expect(sam.locator("#for-real")).to_contain_text("alex made a real signal")
        await expect(alex.get_by_role("button", name="Start my rehearsal")).to_be_visible()
        assert hub.session.held("alex") is ComfortSignal.STOP


async def test_a_partners_real_stop_comes_before_a_rehearsal_and_the_pages_say_so(
    mosquitto: Mosquitto, pair_id: str, browser: Browser
) -> None:
    async with two_phones(mosquitto, pair_id, browser, "rehearsal") as (hub, watches, alex, sam):
        # While alex's stop waits for sam's "I noticed", sam's rehearsal does not start.
        watches["alex"].press(held_ms=1500)
        await wait_until(lambda: hub.session.awaiting_ack("sam") is not None)
        await sam.get_by_role("button", name="Start my rehearsal").click()
        await expect(sam.locator("#error")).to_contain_text(
            'alex\'s stop is waiting for your "I noticed"'
        )
        watches["sam"].press()
        await wait_until(lambda: times_played(watches["alex"], CONFIRMATION) == 1)
        watches["alex"].press()  # two presses: alex lifts the stop
        await asyncio.sleep(0.25)
        watches["alex"].press()
        await wait_until(lambda: hub.session.held("alex") is None)

        # During sam's rehearsal, alex's stop ends it at once, and sam's press answers it.
        await sam.get_by_role("button", name="Start my rehearsal").click()
        await expect(sam.locator("#now")).to_contain_text("Now: two taps: slow down")
        watches["alex"].press(held_ms=1500)
        await expect(sam.locator("#partner-signal")).to_contain_text(
            "alex signalled stop for real. Your rehearsal ended"
        )
        await expect(sam.locator("#partner-signal")).to_contain_text("press your button once")
        await expect(alex.locator("#partner-signal")).to_contain_text(
            "Your stop ended sam's rehearsal"
        )
        await expect(sam.get_by_role("button", name="Start my rehearsal")).to_be_visible()
        await screenshot(sam, "practice-rehearsal-partner-stop-phone")
        watches["sam"].press()
        await wait_until(lambda: times_played(watches["alex"], CONFIRMATION) == 2)


async def test_the_aftercare_pages_offer_calm_a_timer_and_a_private_form(
    mosquitto: Mosquitto, pair_id: str, browser: Browser
) -> None:
    async with two_phones(mosquitto, pair_id, browser, "aftercare") as (hub, watches, alex, sam):
        await alex.get_by_role("button", name="End the session").click()
        for phone in (alex, sam):
            await expect(phone.locator("#calm")).to_contain_text("non-sexual closeness")
        for watch in watches.values():  # a soft pulse on both wrists
            await wait_until(lambda w=watch: times_played(w, AFTERCARE_PULSE) == 1)  # type: ignore[misc]
        await alex.get_by_role("button", name="Start a timer").click()
        await expect(alex.locator("#timer")).to_contain_text(":")
        await screenshot(alex, "practice-aftercare-calm-phone")

        await alex.locator("#felt_good").fill("the slow start")
        await alex.locator("#to_change").fill("a warmer room")
        await alex.get_by_label("4").check()
        await screenshot(alex, "practice-aftercare-form-phone")
        await alex.get_by_role("button", name="Keep my answers").click()
        await expect(alex.locator("#own-summary")).to_contain_text("kept to yourself")

        await sam.locator("#felt_good").fill("the blanket")
        await sam.get_by_label("5").check()
        await sam.get_by_label("Share my answers with alex").check()
        await sam.get_by_role("button", name="Keep my answers").click()
        await expect(alex.locator("#partner-answers")).to_contain_text("the blanket")
        await expect(sam.locator("#thanks")).to_be_visible()
        await asyncio.sleep(1)  # a few refreshes of sam's page
        await expect(sam.locator("#partner-box")).to_be_hidden()
        assert "the slow start" not in await sam.content()
        await screenshot(sam, "practice-aftercare-thanks-phone")
        assert hub.practice.aftercare_started
