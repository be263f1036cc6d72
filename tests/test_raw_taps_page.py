"""The page in headless Chromium says why a slow strap's acceleration gives no taps."""

from __future__ import annotations

import asyncio

import numpy as np
from playwright.async_api import Browser, expect

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.polar import PolarH10Driver
from firmware_bridge.sim import SimRadio, SimulatedBangle, SimulatedPolarH10
from hub import Hub, RawTapsOff, SignalSent, WearerDevice
from tests.brokers import Mosquitto
from tests.browser import new_page, screenshot
from tests.helpers import wait_until
from tests.hubs import PAIR, Recorder
from tests.test_page_browser import served


async def test_the_page_says_a_25_hz_strap_gives_no_taps_and_why(
    mosquitto: Mosquitto, pair_id: str, browser: Browser
) -> None:
    radio = SimRadio()
    strap = radio.add(SimulatedPolarH10("A0:9E:1A:00:00:02"))
    watch = radio.add(SimulatedBangle("C0:00:00:00:B0:0A"))
    seen = Recorder()
    hub = Hub(
        pair_id,
        PAIR,
        [
            WearerDevice("alex", strap.address, PolarH10Driver(sample_rate_hz=25)),
            WearerDevice("sam", watch.address, BangleDriver()),
        ],
        mosquitto.address,
        observer=seen.bus.publish,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
    )
    task = asyncio.create_task(hub.run())
    try:
        async with asyncio.timeout(10):
            await hub.ready()
        await wait_until(lambda: strap.acc_settings is not None)
        async with served(hub, seen.bus) as links:
            context, page = await new_page(browser)
            async with context:
                await page.goto(links["alex"])  # the link the hub printed for alex
                await expect(page.locator("#link")).to_contain_text("broker connected")
                still = np.tile([20, -980, 100], (50, 1)).tolist()
                strap.move([(x, y, z) for x, y, z in still])
                await expect(page.locator("#log")).to_contain_text(
                    "alex's Polar H10 streams acceleration at 25 Hz: too slow to tell a tap "
                    "from a jolt"
                )
                await screenshot(page, "raw-taps-off")
        assert len(seen.of(RawTapsOff)) == 1
        assert seen.of(SignalSent) == []
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
