"""Immediate Alert as a haptic output for any band that has it."""

from __future__ import annotations

import asyncio
import time

from bleak import BleakClient

from firmware_bridge._driver import Capability, Clock, DeviceProfile, Emit, WearableDriver
from firmware_bridge._errors import HapticsUnsupported
from firmware_bridge.immediate_alert._protocol import (
    ALERT_LEVEL,
    IMMEDIATE_ALERT_SERVICE,
    AlertLevel,
    alert_level_bytes,
    alert_level_for,
)
from signals import HapticPattern


class ImmediateAlertDriver(WearableDriver):
    """Plays a pattern as alert levels: each pulse is its level for ``on_ms``, then none.

    Strength picks the level (mild below 0.7, else high). The band sends nothing, so its
    link is never reported stale; a dropped link is still reported as lost.
    """

    profile = DeviceProfile(
        key="immediate_alert",
        label="Immediate Alert band",
        capabilities=frozenset({Capability.HAPTICS}),
        advertised_services=(IMMEDIATE_ALERT_SERVICE,),
        expected_interval_s=None,
    )

    def __init__(self, clock: Clock = time.monotonic) -> None:
        super().__init__(clock)
        self._playing = asyncio.Lock()

    async def start(self, client: BleakClient, emit: Emit) -> None:
        if client.services.get_characteristic(ALERT_LEVEL) is None:
            raise HapticsUnsupported(f"{self.profile.label} without an Alert Level")

    async def play(self, client: BleakClient, pattern: HapticPattern) -> None:
        async with self._playing:
            await play_alert_levels(client, pattern)


async def play_alert_levels(client: BleakClient, pattern: HapticPattern) -> None:
    """Renders ``pattern`` with alert level writes, timing each pulse and each pause.

    If the pattern is cancelled (a newer alert replaces it), the band is still told "no
    alert" so its motor never keeps running on its own.
    """
    buzzing = False
    try:
        for index, pulse in enumerate(pattern.pulses):
            await _write(client, alert_level_for(pulse))
            buzzing = True
            await asyncio.sleep(pulse.on_ms / 1000)
            await _write(client, AlertLevel.NONE)
            buzzing = False
            if index < len(pattern.pulses) - 1:
                await asyncio.sleep(pulse.off_ms / 1000)
    finally:
        if buzzing and client.is_connected:
            await asyncio.shield(_write(client, AlertLevel.NONE))


async def _write(client: BleakClient, level: AlertLevel) -> None:
    # The specification makes Alert Level write-without-response; bands reject the other kind.
    await client.write_gatt_char(ALERT_LEVEL, alert_level_bytes(level), response=False)
