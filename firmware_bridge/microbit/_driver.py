"""BBC micro:bit as an input device: buttons A and B, and the accelerometer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np
from bleak import BleakClient

from firmware_bridge._driver import Capability, Clock, DeviceProfile, Emit, WearableDriver
from firmware_bridge._errors import MalformedPayload
from firmware_bridge._samples import AccelBatch
from firmware_bridge.microbit._protocol import (
    ACCELEROMETER_DATA,
    ACCELEROMETER_PERIOD,
    BUTTON_A_STATE,
    BUTTON_B_STATE,
    ButtonState,
    parse_acceleration,
    parse_button_state,
    period_bytes,
)
from signals import InputEvent, InputKind

log = logging.getLogger(__name__)

# 50 Hz: the least tap detection can work with, and what a default connection keeps up with.
DEFAULT_PERIOD_MS = 20
# With acceleration streaming, this much silence means something is wrong.
_STREAMING_SILENCE_S = 2.0


class MicrobitDriver(WearableDriver):
    """Either button is the wearer's button; acceleration streams one sample per period.

    A press is reported when it ends, with how long it was held; a press that reaches the
    runtime's "held" (1.5 s) is reported then, without waiting for the release, since a
    long press means stop. A release whose press the hub never saw (it began before the
    connection) is ignored rather than taken for an acknowledgement.

    The accelerometer and button services are optional in a micro:bit program; the
    driver uses what the program exposes, and supervises silence only while
    acceleration streams.
    """

    profile = DeviceProfile(
        key="microbit",
        label="BBC micro:bit",
        capabilities=frozenset({Capability.BUTTONS, Capability.RAW_ACCEL}),
        name_prefixes=("BBC micro:bit",),
        expected_interval_s=_STREAMING_SILENCE_S,
    )

    def __init__(
        self, clock: Clock = time.monotonic, *, period_ms: int = DEFAULT_PERIOD_MS
    ) -> None:
        super().__init__(clock)
        self.period_ms = period_ms
        # The period the device actually samples at (it may round the one asked for).
        self.sample_period_ms = period_ms
        self.streaming = False
        self._pressed_at: dict[str, float] = {}
        self._hold_reported: set[str] = set()

    @property
    def expected_interval_s(self) -> float | None:
        return _STREAMING_SILENCE_S if self.streaming else None

    async def start(self, client: BleakClient, emit: Emit) -> None:
        self._pressed_at.clear()
        self._hold_reported.clear()
        self.sample_period_ms = self.period_ms
        services = client.services
        for name, uuid in (("A", BUTTON_A_STATE), ("B", BUTTON_B_STATE)):
            if services.get_characteristic(uuid) is not None:
                await client.start_notify(uuid, self._button_handler(name, emit))
        self.streaming = services.get_characteristic(ACCELEROMETER_DATA) is not None
        if self.streaming:
            if services.get_characteristic(ACCELEROMETER_PERIOD) is not None:
                await client.write_gatt_char(
                    ACCELEROMETER_PERIOD, period_bytes(self.period_ms), response=True
                )
                # The runtime rounds to a period the chip supports: ask which.
                actual = bytes(await client.read_gatt_char(ACCELEROMETER_PERIOD))
                if len(actual) == 2 and int.from_bytes(actual, "little") > 0:
                    self.sample_period_ms = int.from_bytes(actual, "little")

            def on_sample(_: object, data: bytearray) -> None:
                self._on_sample(bytes(data), emit)

            await client.start_notify(ACCELEROMETER_DATA, on_sample)
        else:
            log.warning("%s: this micro:bit program has no accelerometer service", client.address)

    def _button_handler(self, button: str, emit: Emit) -> Callable[[object, bytearray], None]:
        def on_notify(_: object, data: bytearray) -> None:
            self._on_button(button, bytes(data), emit)

        return on_notify

    def _on_button(self, button: str, data: bytes, emit: Emit) -> None:
        self.heard()
        try:
            state = parse_button_state(data)
        except MalformedPayload as error:
            self._malformed(error)
            return
        now = self.clock()
        if state is ButtonState.PRESSED:
            self._pressed_at[button] = now
            self._hold_reported.discard(button)
            return
        pressed_at = self._pressed_at.get(button)
        if pressed_at is None or button in self._hold_reported:
            if state is ButtonState.RELEASED:
                self._pressed_at.pop(button, None)
            return
        if state is ButtonState.HELD:
            self._hold_reported.add(button)
        else:
            del self._pressed_at[button]
        emit(InputEvent(InputKind.BUTTON, now, now - pressed_at))

    def _on_sample(self, data: bytes, emit: Emit) -> None:
        self.heard()
        try:
            x, y, z = parse_acceleration(data)
        except MalformedPayload as error:
            self._malformed(error)
            return
        emit(
            AccelBatch(
                times=np.array([self.clock()]),
                xyz_g=np.array([[x, y, z]], dtype=np.float64) / 1000.0,
                rate_hz=1000.0 / self.sample_period_ms,
                device=self.profile.label,
            )
        )

    def _malformed(self, error: MalformedPayload) -> None:
        self.count_malformed(error)
        log.warning("%s (dropped, %d so far)", error, self.malformed_count)
