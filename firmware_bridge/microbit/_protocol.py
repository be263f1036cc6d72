"""The BBC micro:bit Bluetooth profile: the button and accelerometer services.

From the micro:bit runtime (``MicroBitButtonService``, ``MicroBitAccelerometerService``):

- Button A state ``E95DDA90-...`` and B ``E95DDA91-...`` notify one byte: 0 released,
  1 pressed, 2 held (sent once the button has been down ``HOLD_S``).
- Accelerometer data ``E95DCA4B-...`` notifies int16 x, y, z in milli-g, one sample each
  period; the period ``E95DFB24-...`` is a uint16 in ms (the runtime picks the nearest
  the chip supports: 1, 2, 5, 10, 20, 80, 160 or 640).
"""

from __future__ import annotations

from enum import IntEnum

from firmware_bridge._reader import PayloadReader

BUTTON_SERVICE = "e95d9882-251d-470a-a062-fa1922dfa9a8"
BUTTON_A_STATE = "e95dda90-251d-470a-a062-fa1922dfa9a8"
BUTTON_B_STATE = "e95dda91-251d-470a-a062-fa1922dfa9a8"
ACCELEROMETER_SERVICE = "e95d0753-251d-470a-a062-fa1922dfa9a8"
ACCELEROMETER_DATA = "e95dca4b-251d-470a-a062-fa1922dfa9a8"
ACCELEROMETER_PERIOD = "e95dfb24-251d-470a-a062-fa1922dfa9a8"

# MICROBIT_BUTTON_HOLD_TIME: the runtime sends "held" after this long.
HOLD_S = 1.5
ACCELEROMETER_PERIODS_MS = (1, 2, 5, 10, 20, 80, 160, 640)


class ButtonState(IntEnum):
    RELEASED = 0
    PRESSED = 1
    HELD = 2


def parse_button_state(data: bytes) -> ButtonState:
    reader = PayloadReader("micro:bit button state", data)
    value = reader.u8("state")
    if reader.remaining:
        raise reader.fail("one byte expected")
    try:
        return ButtonState(value)
    except ValueError:
        raise reader.fail(f"unknown button state {value}", 0) from None


def parse_acceleration(data: bytes) -> tuple[int, int, int]:
    """One accelerometer sample: x, y, z in milli-g."""
    reader = PayloadReader("micro:bit acceleration", data)
    x, y, z = (reader.sint(2, axis) for axis in ("x", "y", "z"))
    if reader.remaining:
        raise reader.fail("six bytes expected")
    return x, y, z


def period_bytes(period_ms: int) -> bytes:
    return period_ms.to_bytes(2, "little")
