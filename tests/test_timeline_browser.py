"""The comfort timeline in headless Chromium: the live page remembers, the timeline draws.

Screenshots (phone and desktop) go to build/screenshots/ (see tests/browser.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from playwright.async_api import Browser, expect

from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub import Hub, free_loopback_port
from hub.store import EventStore, SessionRecorder
from hub.web import page_access, serve
from signals import CONFIRMATION
from tests.brokers import Mosquitto
from tests.browser import new_page, screenshot
from tests.helpers import wait_until
from tests.hubs import Recorder, running_hub, times_played, two_watches

# Each served page's wearer tokens, by URL: a page opens with its wearer's printed link.
TOKENS: dict[str, dict[str, str]] = {}


@contextlib.asynccontextmanager
async def recorded_hub(
    mosquitto: Mosquitto, pair_id: str, data_dir: Path
) -> AsyncIterator[tuple[Hub, SessionRecorder, dict[str, SimulatedBangle], str]]:
    """A hub whose events go to an event store, with its page served."""
    radio = SimRadio()
    watches = two_watches(radio)
    store = EventStore.open(data_dir)
    seen = Recorder()
    sessions = SessionRecorder(store, pair_id, ("alex", "sam"))
    seen.bus.subscribe(sessions)
    port = free_loopback_port()
    try:
        async with running_hub(mosquitto.address, pair_id, radio, watches, recorder=seen) as (
            hub,
            _,
        ):
            access = page_access(hub)
            TOKENS[f"http://127.0.0.1:{port}"] = {w: access.token_for(w) for w in access.wearers}
            server = asyncio.create_task(
                serve(
                    hub, seen.bus, port=port, say=lambda _: None, recorder=sessions, access=access
                )
            )
            try:
                yield hub, sessions, watches, f"http://127.0.0.1:{port}"
            finally:
                server.cancel()
                await asyncio.gather(server, return_exceptions=True)
    finally:
        store.close()


async def test_the_live_page_shows_a_stop_in_words_within_a_second_and_the_ack_goes_back(
    mosquitto: Mosquitto, pair_id: str, browser: Browser, data_dir: Path
) -> None:
    async with recorded_hub(mosquitto, pair_id, data_dir) as (_, _, watches, url):
        context, page = await new_page(browser)
        async with context:
            await page.goto(f"{url}/?wearer=sam&token={TOKENS[url]['sam']}")
            await expect(page.locator("#link")).to_contain_text("broker connected")

            watches["alex"].press(held_ms=1500)  # a long press: stop
            card = page.locator("li.card.stop")
            await expect(card).to_contain_text("alex asks you to STOP", timeout=1000)
            await screenshot(page, "live-feed-stop-phone")

            await page.locator(".wearer.stop").get_by_role("button", name="I noticed").click()
            await wait_until(lambda: times_played(watches["alex"], CONFIRMATION) == 1)
            await expect(card).to_contain_text("you noticed")
            await expect(card).to_contain_text("alex felt the confirmation")


async def test_a_page_opened_mid_session_shows_what_already_happened_then_live_events(
    mosquitto: Mosquitto, pair_id: str, browser: Browser, data_dir: Path
) -> None:
    async with recorded_hub(mosquitto, pair_id, data_dir) as (hub, sessions, watches, url):
        watches["alex"].tap()
        watches["alex"].tap()  # slow down
        await wait_until(lambda: hub.session.awaiting_ack("sam") is not None)
        await asyncio.sleep(0.5)
        hub.session.acknowledge("sam")

        context, page = await new_page(browser, phone=False)
        async with context:
            await page.goto(f"{url}/?wearer=alex&token={TOKENS[url]['alex']}")
            earlier = page.locator("li.card.slow_down")
            await expect(earlier).to_contain_text("You asked sam to slow down")
            await expect(earlier).to_contain_text(" s later")
            links = page.locator("li.card.link")
            await expect(links.filter(has_text="sam's wearable connected")).to_have_count(1)
            await expect(links.filter(has_text="Your wearable connected")).to_have_count(1)

            watches["alex"].press(held_ms=1500)
            await expect(page.locator("li.card.stop")).to_contain_text("You asked sam to stop")
            await expect(page.locator("li.card.slow_down")).to_have_count(1)  # not twice
            await screenshot(page, "live-feed-history-desktop")

            # The session is ended, and a new one started, from the page.
            bar = page.locator(".session-bar")
            await bar.get_by_role("button", name="End session").click()
            await expect(bar).to_contain_text("No session going.")
            assert sessions.session is None
            await bar.get_by_role("button", name="Start a session").click()
            await expect(bar).to_contain_text("Session going")
            assert sessions.session is not None and sessions.session.started_by == "explicit"

            # ...and from the command line; the page follows.
            cli = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "hub",
                "sessions",
                "--end",
                "--hub",
                f"{url}/wearers/alex?token={TOKENS[url]['alex']}",  # alex's printed link
                stdout=asyncio.subprocess.PIPE,
            )
            out, _ = await cli.communicate()
            assert cli.returncode == 0 and b"ended" in out
            await expect(bar).to_contain_text("No session going.")


async def test_the_timeline_page_draws_the_sessions_markers_and_bands(
    mosquitto: Mosquitto, pair_id: str, browser: Browser, data_dir: Path
) -> None:
    async with recorded_hub(mosquitto, pair_id, data_dir) as (hub, sessions, watches, url):
        for bpm in (70, 72, 75, 79, 84, 88, 86, 80):
            watches["alex"].heart(bpm)
            watches["sam"].heart(bpm - 6)
            await asyncio.sleep(0.25)
        watches["alex"].press(held_ms=1500)  # stop
        await wait_until(lambda: hub.session.awaiting_ack("sam") is not None)
        for bpm in (90, 87, 84, 80, 77, 74):
            watches["alex"].heart(bpm)
            watches["sam"].heart(bpm - 4)
            await asyncio.sleep(0.25)
        hub.session.acknowledge("sam")
        await asyncio.sleep(0.5)
        hub.session.resume("alex")
        ended = sessions.end()
        assert ended is not None

        for phone in (False, True):
            context, page = await new_page(browser, phone=phone)
            async with context:
                await page.goto(f"{url}/sessions/{ended.id}?token={TOKENS[url]['alex']}")
                chart = page.locator("#chart")
                await expect(chart.locator("canvas")).to_have_count(1)
                await expect(chart).to_have_attribute("data-bands", "1")
                # Link events, the stop, sam's ack and alex's resume are all marked.
                markers = int(await chart.get_attribute("data-markers") or 0)
                assert markers >= 5
                await expect(page.locator("#bands")).to_contain_text("alex held STOP")
                await expect(page.locator("#signals")).to_contain_text("s by sam")
                await screenshot(page, f"timeline-{'phone' if phone else 'desktop'}")
