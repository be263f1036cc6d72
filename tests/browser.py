"""Headless Chromium for page tests: Debian's ``chromium`` driven by Playwright.

Playwright's own browser download cannot be used here (no network but the package registries),
so the system's Chromium is launched by path. Screenshots go to ``build/screenshots/``
(``COMFORT_HUB_SCREENSHOTS`` chooses another folder), phone-sized and desktop-sized, so a
person can look at what a page showed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

# Chromium's own network chatter (updates, sync, field trials) is refused on a closed network;
# these keep it quiet and the start fast.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

SCREENSHOTS = Path(
    os.environ.get("COMFORT_HUB_SCREENSHOTS", Path(__file__).parent.parent / "build/screenshots")
)


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("page tests need Debian's chromium: run scripts/ensure-system-packages.sh")
    return path


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """A headless Chromium of the test's own."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


async def new_page(browser: Browser, *, phone: bool = True) -> tuple[BrowserContext, Page]:
    """A fresh context (its own cookies) and page, phone-sized unless ``phone`` is False."""
    context = await browser.new_context(
        viewport=PHONE if phone else DESKTOP,  # type: ignore[arg-type]
        is_mobile=phone,
        has_touch=phone,
    )
    return context, await context.new_page()


async def screenshot(page: Page, name: str) -> Path:
    """Saves what ``page`` shows as ``build/screenshots/<name>.png`` and returns the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
