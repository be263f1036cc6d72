"""Immediate Alert (0x1802): a generic haptic output for any band that has it."""

from firmware_bridge.immediate_alert._driver import ImmediateAlertDriver, play_alert_levels
from firmware_bridge.immediate_alert._protocol import (
    ALERT_LEVEL,
    IMMEDIATE_ALERT_SERVICE,
    MILD_BELOW_STRENGTH,
    AlertLevel,
    alert_level_bytes,
    alert_level_for,
    parse_alert_level,
)

__all__ = [
    "ALERT_LEVEL",
    "IMMEDIATE_ALERT_SERVICE",
    "MILD_BELOW_STRENGTH",
    "AlertLevel",
    "ImmediateAlertDriver",
    "alert_level_bytes",
    "alert_level_for",
    "parse_alert_level",
    "play_alert_levels",
]
