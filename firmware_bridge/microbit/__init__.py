"""BBC micro:bit as an input device (button and accelerometer services)."""

from firmware_bridge.microbit._driver import DEFAULT_PERIOD_MS, MicrobitDriver
from firmware_bridge.microbit._protocol import (
    ACCELEROMETER_DATA,
    ACCELEROMETER_PERIOD,
    ACCELEROMETER_PERIODS_MS,
    ACCELEROMETER_SERVICE,
    BUTTON_A_STATE,
    BUTTON_B_STATE,
    BUTTON_SERVICE,
    HOLD_S,
    ButtonState,
    parse_acceleration,
    parse_button_state,
    period_bytes,
)

__all__ = [
    "ACCELEROMETER_DATA",
    "ACCELEROMETER_PERIOD",
    "ACCELEROMETER_PERIODS_MS",
    "ACCELEROMETER_SERVICE",
    "BUTTON_A_STATE",
    "BUTTON_B_STATE",
    "BUTTON_SERVICE",
    "DEFAULT_PERIOD_MS",
    "HOLD_S",
    "ButtonState",
    "MicrobitDriver",
    "parse_acceleration",
    "parse_button_state",
    "period_bytes",
]
