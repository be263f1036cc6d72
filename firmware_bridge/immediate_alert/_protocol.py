"""The Bluetooth SIG Immediate Alert Service (0x1802): one Alert Level byte, written.

Alert Level (0x2A06) is written without response: 0 no alert, 1 mild, 2 high. What a level
feels like is up to the band; most vibrate until told "no alert", some for a fixed time.
"""

from __future__ import annotations

from enum import IntEnum

from bleak.uuids import normalize_uuid_str

from firmware_bridge._reader import PayloadReader
from signals import Pulse

IMMEDIATE_ALERT_SERVICE = normalize_uuid_str("1802")
ALERT_LEVEL = normalize_uuid_str("2a06")

# Pulses gentler than this are mild alerts; the rest are high. A partner's stop comes at
# full strength, confirmations and check-ins at 0.6 or less.
MILD_BELOW_STRENGTH = 0.7


class AlertLevel(IntEnum):
    NONE = 0
    MILD = 1
    HIGH = 2


def alert_level_for(pulse: Pulse) -> AlertLevel:
    return AlertLevel.MILD if pulse.strength < MILD_BELOW_STRENGTH else AlertLevel.HIGH


def alert_level_bytes(level: AlertLevel) -> bytes:
    return bytes([level])


def parse_alert_level(data: bytes) -> AlertLevel:
    """Decode an Alert Level value (what a band receives; the twins decode with this)."""
    reader = PayloadReader("alert level", data)
    value = reader.u8("level")
    if reader.remaining:
        raise reader.fail("one byte expected")
    try:
        return AlertLevel(value)
    except ValueError:
        raise reader.fail(f"alert level {value} is reserved", 0) from None
