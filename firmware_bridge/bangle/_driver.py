"""Bangle.js 2 driver: tap, button and heart-rate events from the comfort watch app over NUS."""

from __future__ import annotations

import asyncio
import logging
import time

from bleak import BleakClient

from firmware_bridge._driver import Capability, Clock, DeviceProfile, Emit, WearableDriver
from firmware_bridge._errors import MalformedPayload
from firmware_bridge._samples import HeartReading
from firmware_bridge.bangle._protocol import (
    NUS_RX,
    NUS_SERVICE,
    NUS_TX,
    LineAssembler,
    WatchButton,
    WatchHeart,
    WatchTap,
    buzz_command,
    parse_watch_line,
    split_for_link,
)
from signals import HapticPattern, InputEvent, InputKind, Pulse

log = logging.getLogger(__name__)

# The watch app flags a press as long once it has been held this long.
WATCH_LONG_PRESS_S = 1.0


class BangleDriver(WearableDriver):
    profile = DeviceProfile(
        key="bangle",
        label="Bangle.js 2",
        capabilities=frozenset(
            {Capability.TAPS, Capability.BUTTONS, Capability.HEART_RATE, Capability.HAPTICS}
        ),
        advertised_services=(NUS_SERVICE,),
        name_prefixes=("Bangle.js",),
        # The app sends a heartbeat line every 5 s when nothing else happens.
        expected_interval_s=15.0,
    )

    def __init__(self, clock: Clock = time.monotonic) -> None:
        super().__init__(clock)
        self._lines = LineAssembler()
        self._write_lock = asyncio.Lock()

    async def start(self, client: BleakClient, emit: Emit) -> None:
        self._lines.reset()

        def on_notify(_: object, data: bytearray) -> None:
            self._on_fragment(bytes(data), emit)

        await client.start_notify(NUS_TX, on_notify)

    def _on_fragment(self, fragment: bytes, emit: Emit) -> None:
        # Any fragment counts, the app's heartbeat line and console chatter included.
        self.heard()
        at = self.clock()
        lines, dropped = self._lines.feed(fragment)
        for error in dropped:
            self._malformed(error)
        for line in lines:
            try:
                message = parse_watch_line(line)
            except MalformedPayload as error:
                self._malformed(error)
                continue
            if isinstance(message, WatchTap):
                kind = InputKind.DOUBLE_TAP if message.double else InputKind.TAP
                emit(InputEvent(kind, at))
            elif isinstance(message, WatchButton):
                held_s = (
                    message.held_ms / 1000
                    if message.held_ms is not None
                    else (WATCH_LONG_PRESS_S if message.long else 0.0)
                )
                emit(InputEvent(InputKind.BUTTON, at, held_s))
            elif isinstance(message, WatchHeart):
                emit(HeartReading(at, message.bpm, confidence=message.confidence))

    def _malformed(self, error: MalformedPayload) -> None:
        self.count_malformed(error)
        log.warning("%s (dropped, %d so far)", error, self.malformed_count)

    async def play(self, client: BleakClient, pattern: HapticPattern) -> None:
        for index, pulse in enumerate(pattern.pulses):
            # Shielded: a newer alert may cancel this pattern, but never halfway through a
            # command line, which would garble the next command on the watch's console.
            await asyncio.shield(self._buzz(client, pulse))
            if index < len(pattern.pulses) - 1:
                await asyncio.sleep((pulse.on_ms + pulse.off_ms) / 1000)

    async def _buzz(self, client: BleakClient, pulse: Pulse) -> None:
        payload_size = max(client.mtu_size - 3, 20)
        async with self._write_lock:
            for piece in split_for_link(buzz_command(pulse), payload_size):
                await client.write_gatt_char(NUS_RX, piece, response=False)
