"""The Bangle.js wire protocol: Nordic UART lines of JSON from the watch app, JS commands to it.

Both directions are byte streams cut into ATT-sized pieces, so lines are reassembled on
``\\n`` and commands are split to the link's payload size.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from firmware_bridge._errors import MalformedPayload
from signals import Pulse

NUS_SERVICE = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
NUS_RX = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"  # central writes here
NUS_TX = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"  # watch notifies here

# Ctrl-P before a command line turns the Espruino console's echo off for that line.
ECHO_OFF = b"\x10"
# A line longer than this is not from the watch app; drop it rather than grow without bound.
MAX_LINE_BYTES = 512
# Beyond these a value is garbage, not a reading.
MAX_BPM = 300
MAX_PRESS_MS = 3_600_000


class LineAssembler:
    """Joins notification fragments into complete lines."""

    def __init__(self, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self._buffer = bytearray()
        self._max = max_line_bytes

    def feed(self, fragment: bytes) -> tuple[list[bytes], list[MalformedPayload]]:
        """Returns the lines completed by ``fragment`` and any overlong input that was dropped."""
        self._buffer += fragment
        *lines, rest = self._buffer.split(b"\n")
        self._buffer = bytearray(rest)
        dropped: list[MalformedPayload] = []
        if len(self._buffer) > self._max:
            dropped.append(
                MalformedPayload(
                    "Bangle.js line", bytes(self._buffer[:64]), "no newline", self._max
                )
            )
            self._buffer.clear()
        complete = [bytes(line.rstrip(b"\r")) for line in lines if line.strip()]
        return complete, dropped

    def reset(self) -> None:
        """Forget a partial line (after a reconnect it can never be completed)."""
        self._buffer.clear()


@dataclass(frozen=True, slots=True)
class WatchTap:
    """The accelerometer's tap engine fired; ``direction`` is the side that was tapped,
    as Espruino names it ("left", "right", "top", "bottom", "front", "back")."""

    double: bool
    direction: str | None


@dataclass(frozen=True, slots=True)
class WatchButton:
    long: bool
    held_ms: int | None


@dataclass(frozen=True, slots=True)
class WatchHeart:
    bpm: int
    confidence: int


WatchMessage = WatchTap | WatchButton | WatchHeart


def parse_watch_line(line: bytes) -> WatchMessage | None:
    """Decode one line from the watch app; None for lines that are not app messages.

    The Espruino console also prints prompts and log lines on the same UART; those are
    skipped, not errors. A line that claims to be app JSON but is broken is an error.
    """
    text = line.strip()
    if not text.startswith(b"{"):
        return None
    try:
        message = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedPayload("Bangle.js line", line, f"not JSON: {exc}") from None
    if not isinstance(message, dict):
        raise MalformedPayload("Bangle.js line", line, "not a JSON object")
    kind = message.get("t")
    try:
        if kind == "tap":
            direction = message.get("dir")
            return WatchTap(
                double=_as_bool(message.get("double", False)),
                direction=direction if isinstance(direction, str) else None,
            )
        if kind == "btn":
            held = message.get("ms")
            return WatchButton(
                long=_as_bool(message.get("long", False)),
                held_ms=None if held is None else _whole_number(held, "ms", MAX_PRESS_MS),
            )
        if kind == "hrm":
            return WatchHeart(
                bpm=_whole_number(message["bpm"], "bpm", MAX_BPM),
                confidence=_whole_number(message.get("confidence", 0), "confidence", 100),
            )
    except (KeyError, ValueError, TypeError) as exc:
        raise MalformedPayload("Bangle.js line", line, f"bad {kind!r} message: {exc}") from None
    return None  # a message kind from a newer app: ignore, do not fail


def _whole_number(value: object, field: str, highest: int) -> int:
    """A JSON number in 0..highest, rounded; true/false, NaN and infinities are not numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{field} must be a number, got {value!r}")
    if not 0 <= value <= highest:  # also false for NaN
        raise ValueError(f"{field} must be within 0..{highest}, got {value!r}")
    return round(value)


def _as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"expected true/false, got {value!r}")


def buzz_command(pulse: Pulse) -> bytes:
    """The console line that buzzes the watch's motor once."""
    strength = f"{pulse.strength:.2f}".rstrip("0").rstrip(".")
    return ECHO_OFF + f"Bangle.buzz({pulse.on_ms},{strength})\n".encode()


def split_for_link(data: bytes, payload_size: int) -> list[bytes]:
    """Cut a command into ATT-payload-sized writes; the console joins them again."""
    if payload_size < 1:
        raise ValueError(f"payload size must be positive, got {payload_size}")
    return [data[i : i + payload_size] for i in range(0, len(data), payload_size)]
