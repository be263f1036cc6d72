"""PineTime running InfiniTime: heart rate, music-app touches and call answers, buzzes."""

from firmware_bridge.pinetime._driver import BUZZ_TRAIN_SPACING_MS, PineTimeDriver, buzzes_for
from firmware_bridge.pinetime._protocol import (
    ALERT_NOTIFICATION_SERVICE,
    CALL_RESPONSE,
    MOTOR_PULSE_MS,
    MUSIC_EVENT,
    MUSIC_SERVICE,
    NEW_ALERT,
    AlertCategory,
    CallResponse,
    MusicEvent,
    new_alert_bytes,
    parse_call_response,
    parse_music_event,
    parse_new_alert,
)

__all__ = [
    "ALERT_NOTIFICATION_SERVICE",
    "BUZZ_TRAIN_SPACING_MS",
    "CALL_RESPONSE",
    "MOTOR_PULSE_MS",
    "MUSIC_EVENT",
    "MUSIC_SERVICE",
    "NEW_ALERT",
    "AlertCategory",
    "CallResponse",
    "MusicEvent",
    "PineTimeDriver",
    "buzzes_for",
    "new_alert_bytes",
    "parse_call_response",
    "parse_music_event",
    "parse_new_alert",
]
