"""The wearable `bench scale` puts on every wrist: a Polar H10 that can also buzz.

No single device in the registry streams raw acceleration and heart rate *and* has a motor,
and the scale benchmark needs all three on each wrist: the strap's stream keeps the tap
detector and the heart-rate monitor busy, and the partner's buzz ends each measurement. So
this twin is a simulated Polar H10 with an Immediate Alert service added, driven by the
Polar driver plus the Immediate Alert renderer: every byte still goes through the real
protocol code on both sides.
"""

from __future__ import annotations

import asyncio
import time

from bleak import BleakClient

from firmware_bridge import Capability, Clock, DeviceProfile
from firmware_bridge.immediate_alert import ALERT_LEVEL, IMMEDIATE_ALERT_SERVICE, play_alert_levels
from firmware_bridge.polar import PolarH10Driver
from firmware_bridge.sim import SimCharacteristic, SimService, SimulatedPolarH10
from signals import HapticPattern


class BuzzingStrap(SimulatedPolarH10):
    """Streams like an H10; records when each alert level write arrives."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.services.append(
            SimService(
                IMMEDIATE_ALERT_SERVICE,
                [SimCharacteristic(ALERT_LEVEL, ["write-without-response"])],
            )
        )
        self.alert_times: list[float] = []
        self.alerted = asyncio.Event()

    def on_write(self, uuid: str, data: bytes, response: bool) -> None:
        if uuid == ALERT_LEVEL:
            self.alert_times.append(asyncio.get_running_loop().time())
            self.alerted.set()
            return
        super().on_write(uuid, data, response)

    async def wait_for_alerts(self, count: int) -> float:
        """When alert write number ``count`` (counted from 1) arrived; bound it with a timeout."""
        while len(self.alert_times) < count:
            self.alerted.clear()
            await self.alerted.wait()
        return self.alert_times[count - 1]


class BuzzingStrapDriver(PolarH10Driver):
    profile = DeviceProfile(
        key="bench_strap",
        label="Polar H10 with Immediate Alert (benchmark)",
        capabilities=PolarH10Driver.profile.capabilities | {Capability.HAPTICS},
        advertised_services=PolarH10Driver.profile.advertised_services,
        expected_interval_s=PolarH10Driver.profile.expected_interval_s,
    )

    def __init__(self, clock: Clock = time.monotonic, *, sample_rate_hz: int = 100) -> None:
        super().__init__(clock, sample_rate_hz=sample_rate_hz)
        self._playing = asyncio.Lock()

    async def play(self, client: BleakClient, pattern: HapticPattern) -> None:
        async with self._playing:
            await play_alert_levels(client, pattern)
