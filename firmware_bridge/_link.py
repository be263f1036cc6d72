"""Keeps one wearable connected for as long as a session runs, and says when the link changes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bleak import BleakClient, BleakScanner
from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import BaseBleakScanner
from bleak.exc import BleakError
from bleak_retry_connector import establish_connection

from firmware_bridge._backoff import Backoff
from firmware_bridge._driver import Clock, Emit, WearableDriver
from firmware_bridge._errors import BridgeError, DeviceNotFound
from firmware_bridge._samples import DeviceEvent
from firmware_bridge._silence import SilenceWatch
from signals import HapticPattern

log = logging.getLogger(__name__)


class LinkState(StrEnum):
    """How a wearable's link changed. LOST and STALE both mean "no word from the device";
    RESTORED ends either one (its ``detail`` says which), so a consumer needs only one rule:
    the link is down from LOST or STALE until the next RESTORED.
    """

    CONNECTED = "connected"  # first connection of the session
    LOST = "lost"  # the radio link dropped; reconnecting by itself
    RESTORED = "restored"  # working again after LOST (reconnected) or STALE (heard again)
    STALE = "stale"  # connected, but silent for longer than the device ever is


@dataclass(frozen=True, slots=True)
class LinkEvent:
    state: LinkState
    at: float
    address: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class BleBackends:
    """bleak backends to use; None means the platform's own radio."""

    client: type[BaseBleakClient] | None = None
    scanner: type[BaseBleakScanner] | None = None


class WearableLink:
    """Finds, connects and re-connects one device, runs its driver, and reports link events.

    bleak-retry-connector makes each connection attempt robust (it knows which BlueZ errors
    are worth retrying); this class adds what it does not do: keep the link up after a drop,
    for as long as :meth:`run` runs.
    """

    def __init__(
        self,
        address: str,
        driver: WearableDriver,
        *,
        on_event: Emit,
        on_link: Callable[[LinkEvent], None],
        backends: BleBackends | None = None,
        find_timeout_s: float = 10.0,
        connect_timeout_s: float = 20.0,
        backoff: Backoff | None = None,
        clock: Clock = time.monotonic,
        stale_after_s: float | None = None,
    ) -> None:
        self.address = address.upper()
        self.driver = driver
        self._on_event = on_event
        self._on_link = on_link
        self._backends = backends or BleBackends()
        self._find_timeout_s = find_timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._backoff = backoff or Backoff()
        self._clock = clock
        # None: the driver's own expectation (which may be None too: no supervision).
        self._stale_after_s = stale_after_s
        self._client: BleakClient | None = None
        self._dropped = asyncio.Event()
        self._closing = False
        self._silence: SilenceWatch | None = None
        self._heard_again = asyncio.Event()
        self._failed_attempts = 0
        self.connected = asyncio.Event()
        driver.watch_liveness(self._heard)

    @property
    def failed_attempts(self) -> int:
        """Connection attempts that failed since the link was last up (0 while connected)."""
        return self._failed_attempts

    async def run(self) -> None:
        """Connect and stay connected until cancelled."""
        ever_connected = False
        try:
            while True:
                try:
                    client = await self._connect_once()
                # OSError: BlueZ or the system D-Bus is away (restarting, say); retry too.
                except (BleakError, BridgeError, TimeoutError, OSError) as error:
                    log.info("%s: %s", self.address, error)
                    await self._wait_before_retrying()
                    continue
                except Exception:
                    # A fault in a driver must not end the link, and with it the hub: the
                    # wearer stays "not connected" (their partner is told), and it is logged.
                    log.exception("%s: unexpected error while connecting", self.address)
                    await self._wait_before_retrying()
                    continue
                self._failed_attempts = 0
                self._client = client
                self.connected.set()
                state = LinkState.RESTORED if ever_connected else LinkState.CONNECTED
                detail = "reconnected" if ever_connected else ""
                ever_connected = True
                self._on_link(LinkEvent(state, self._clock(), self.address, detail))
                await self._stay_connected()
                self.connected.clear()
                self._client = None
                self._on_link(LinkEvent(LinkState.LOST, self._clock(), self.address))
        finally:
            await self._shutdown()

    async def _wait_before_retrying(self) -> None:
        self._failed_attempts += 1
        delay = self._backoff.delay(self._failed_attempts)
        log.info("%s: retrying in %.1f s (attempt %d)", self.address, delay, self._failed_attempts)
        await asyncio.sleep(delay)

    async def _stay_connected(self) -> None:
        """Waits for the link to drop, reporting silences on the way."""
        limit = self._stale_after_s
        if limit is None:
            limit = self.driver.expected_interval_s
        if limit is None:
            await self._dropped.wait()
            return
        self._silence = SilenceWatch(limit, self._clock())
        supervisor = asyncio.create_task(self._supervise(self._silence))
        try:
            await self._dropped.wait()
        finally:
            self._silence = None
            supervisor.cancel()
            await asyncio.gather(supervisor, return_exceptions=True)

    async def _supervise(self, watch: SilenceWatch) -> None:
        while True:
            left = watch.seconds_left(self._clock())
            if left > 0:
                await asyncio.sleep(left)
                continue
            now = self._clock()
            if watch.go_stale(now):
                self._heard_again.clear()
                detail = f"nothing heard for {watch.silent_for(now):.1f} s"
                self._on_link(LinkEvent(LinkState.STALE, now, self.address, detail))
            await self._heard_again.wait()

    def _heard(self) -> None:
        """The driver heard from the device; called synchronously, never awaits."""
        watch = self._silence
        if watch is None:
            return
        now = self._clock()
        silent_s = watch.silent_for(now)
        if watch.heard(now):
            self._heard_again.set()
            detail = f"heard again after {silent_s:.1f} s of silence"
            self._on_link(LinkEvent(LinkState.RESTORED, now, self.address, detail))

    def _emit(self, event: DeviceEvent) -> None:
        # An event is proof of life even from a driver that forgot to call heard().
        self._heard()
        self._on_event(event)

    async def _connect_once(self) -> BleakClient:
        scanner = self._backends.scanner
        if scanner is None:
            device = await BleakScanner.find_device_by_address(
                self.address, timeout=self._find_timeout_s
            )
        else:
            device = await BleakScanner.find_device_by_address(
                self.address, timeout=self._find_timeout_s, backend=scanner
            )
        if device is None:
            raise DeviceNotFound(self.address, self._find_timeout_s)
        self._dropped.clear()
        # bleak-retry-connector gives up on an absent device only after ~36 s: bound it.
        async with asyncio.timeout(self._connect_timeout_s):
            client = await establish_connection(
                BleakClient,
                device,
                device.name or self.address,
                disconnected_callback=self._on_disconnected,
                backend=self._backends.client,
            )
        try:
            await self.driver.start(client, self._emit)
        except BaseException:
            await client.disconnect()
            raise
        return client

    def _on_disconnected(self, _client: BleakClient) -> None:
        # Called synchronously by bleak, also for our own disconnect(): only flag it here.
        if not self._closing:
            self._dropped.set()

    async def play(self, pattern: HapticPattern) -> bool:
        """Play ``pattern`` now; False when it did not reach the device (not connected, a
        write failed, or the device has no motor the hub can drive)."""
        client = self._client
        if client is None or not client.is_connected:
            return False
        try:
            await self.driver.play(client, pattern)
        except (BleakError, BridgeError, TimeoutError, OSError) as error:
            log.warning("%s: could not play %s: %s", self.address, pattern.name, error)
            return False
        return True

    async def _shutdown(self) -> None:
        self._closing = True
        client, self._client = self._client, None
        self.connected.clear()
        if client is not None:
            with contextlib.suppress(BleakError, TimeoutError):
                await client.disconnect()
