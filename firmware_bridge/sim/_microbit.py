"""A simulated BBC micro:bit running a program with the button and accelerometer services."""

from __future__ import annotations

import asyncio

from firmware_bridge.microbit._protocol import (
    ACCELEROMETER_DATA,
    ACCELEROMETER_PERIOD,
    ACCELEROMETER_PERIODS_MS,
    ACCELEROMETER_SERVICE,
    BUTTON_A_STATE,
    BUTTON_B_STATE,
    BUTTON_SERVICE,
    ButtonState,
)
from firmware_bridge.sim._peripheral import SimCharacteristic, SimService, SimulatedPeripheral
from firmware_bridge.sim._resting import STREAM_STEP_S, TAP_PEAK_G, StillBody

_BUTTONS = {"A": BUTTON_A_STATE, "B": BUTTON_B_STATE}


class SimulatedMicrobit(SimulatedPeripheral):
    """Sends button states and acceleration samples as the micro:bit runtime does.

    Button states are sent as they happen (:meth:`button`); the test plays the wearer and
    decides the timing. A period written by the central is rounded to one the runtime
    supports, as the runtime does.
    """

    def __init__(
        self, address: str, name: str | None = None, *, accelerometer: bool = True
    ) -> None:
        services = [
            SimService(
                BUTTON_SERVICE,
                [
                    SimCharacteristic(BUTTON_A_STATE, ["read", "notify"], b"\x00"),
                    SimCharacteristic(BUTTON_B_STATE, ["read", "notify"], b"\x00"),
                ],
            )
        ]
        if accelerometer:
            services.append(
                SimService(
                    ACCELEROMETER_SERVICE,
                    [
                        SimCharacteristic(ACCELEROMETER_DATA, ["read", "notify"], bytes(6)),
                        SimCharacteristic(ACCELEROMETER_PERIOD, ["read", "write"], b"\x14\x00"),
                    ],
                )
            )
        super().__init__(address, name or "BBC micro:bit [zavit]", services)
        self.period_ms = 20
        self._body: StillBody | None = None  # the resting wearer, while samples stream

    def button(self, which: str, state: ButtonState) -> bool:
        uuid = _BUTTONS[which]
        self.characteristic(uuid).value = bytes([state])
        return self.notify(uuid, bytes([state]))

    def accelerate(self, x_mg: int, y_mg: int, z_mg: int) -> bool:
        """One sample, as the runtime notifies each period."""
        data = b"".join(v.to_bytes(2, "little", signed=True) for v in (x_mg, y_mg, z_mg))
        return self.notify(ACCELEROMETER_DATA, data)

    def tap(self, peak_g: float = TAP_PEAK_G) -> bool:
        """The wearer taps the board: a tap in the resting acceleration stream (a soft tapper's
        with a lower ``peak_g``).

        False unless the twin is resting with acceleration streaming.
        """
        if self._body is None:
            return False
        self._body.tap(peak_g)
        return True

    async def rest(self) -> None:
        """Still acceleration, one notification per sample period, while subscribed."""
        while True:
            await asyncio.sleep(STREAM_STEP_S)
            if not self.is_subscribed(ACCELEROMETER_DATA):
                self._body = None
                continue
            if self._body is None:
                self._body = StillBody(self.address)
            for x, y, z in self._body.samples_until_now(1000 / self.period_ms):
                self.accelerate(round(x * 1000), round(y * 1000), round(z * 1000))

    def on_disconnect(self) -> None:
        self._body = None

    def on_write(self, uuid: str, data: bytes, response: bool) -> None:
        if uuid == ACCELEROMETER_PERIOD and len(data) >= 2:
            wanted = int.from_bytes(data[:2], "little")
            self.period_ms = min(ACCELEROMETER_PERIODS_MS, key=lambda p: abs(p - wanted))
            self.characteristic(uuid).value = self.period_ms.to_bytes(2, "little")
