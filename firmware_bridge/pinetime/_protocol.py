"""What InfiniTime (the PineTime's firmware) says and hears over Bluetooth.

From InfiniTime's sources (``MusicService``, ``AlertNotificationService``,
``ImmediateAlertService``):

- Music service ``00000000-78fc-...``: the event characteristic notifies one byte when the
  wearer touches the music app: 0x00 play, 0x01 pause, 0x03 next, 0x04 previous,
  0x05 volume up, 0x06 volume down, 0xE0 the app was opened.
- Alert Notification service 0x1811: New Alert (0x2A46) is written as
  ``<category> <count> <one byte> <title> \\0 <body>``; category 3 (call) rings until the
  wearer answers, and the answer is notified on ``00020001-78fc-...`` as one byte:
  0 decline, 1 accept, 2 mute.
- Immediate Alert 0x1802: any write to Alert Level buzzes once, 35 ms, and shows a
  notification (when the watch's notifications are on).
"""

from __future__ import annotations

from enum import IntEnum
from typing import TypeVar

from bleak.uuids import normalize_uuid_str

from firmware_bridge._reader import PayloadReader

MUSIC_SERVICE = "00000000-78fc-48fe-8e23-433b3a1942d0"
MUSIC_EVENT = "00000001-78fc-48fe-8e23-433b3a1942d0"
ALERT_NOTIFICATION_SERVICE = normalize_uuid_str("1811")
NEW_ALERT = normalize_uuid_str("2a46")
CALL_RESPONSE = "00020001-78fc-48fe-8e23-433b3a1942d0"

E = TypeVar("E", bound=IntEnum)

# One motor pulse per Alert Level write.
MOTOR_PULSE_MS = 35
_NEW_ALERT_HEADER = 3


class MusicEvent(IntEnum):
    PLAY = 0x00
    PAUSE = 0x01
    NEXT = 0x03
    PREVIOUS = 0x04
    VOLUME_UP = 0x05
    VOLUME_DOWN = 0x06
    OPENED = 0xE0


class CallResponse(IntEnum):
    DECLINE = 0
    ACCEPT = 1
    MUTE = 2


class AlertCategory(IntEnum):
    SIMPLE = 0x00
    EMAIL = 0x01
    NEWS = 0x02
    CALL = 0x03
    MISSED_CALL = 0x04
    SMS = 0x05
    VOICE_MAIL = 0x06
    SCHEDULE = 0x07
    HIGH_PRIORITY = 0x08
    INSTANT_MESSAGE = 0x09


def parse_music_event(data: bytes) -> MusicEvent:
    return _one_byte_enum("music event", data, MusicEvent)


def parse_call_response(data: bytes) -> CallResponse:
    return _one_byte_enum("call response", data, CallResponse)


def _one_byte_enum(what: str, data: bytes, kind: type[E]) -> E:
    reader = PayloadReader(what, data)
    value = reader.u8("value")
    if reader.remaining:
        raise reader.fail("one byte expected")
    try:
        return kind(value)
    except ValueError:
        raise reader.fail(f"unknown {what} 0x{value:02x}", 0) from None


def new_alert_bytes(
    category: AlertCategory, title: str, body: str = "", *, max_bytes: int | None = None
) -> bytes:
    """A New Alert write. Cut to ``max_bytes`` (the link's write payload) if given:
    the body goes whole or not at all, then the title is shortened."""
    header = bytes([category, 1, 0])
    text = title.encode("utf-8", "replace")
    if body:
        with_body = text + b"\0" + body.encode("utf-8", "replace")
        if max_bytes is None or len(header) + len(with_body) <= max_bytes:
            return header + with_body
    if max_bytes is not None:
        text = text[: max(0, max_bytes - len(header))]
    return header + text


def parse_new_alert(data: bytes) -> tuple[AlertCategory, str, str]:
    """Decode a New Alert write as InfiniTime does: category, then title and body."""
    reader = PayloadReader("new alert", data)
    raw = reader.u8("category")
    reader.take(_NEW_ALERT_HEADER - 1, "header")
    try:
        category = AlertCategory(raw)
    except ValueError:
        raise reader.fail(f"unknown alert category {raw}", 0) from None
    title, _, body = reader.rest().partition(b"\0")
    return category, title.decode("utf-8", "replace"), body.decode("utf-8", "replace")
