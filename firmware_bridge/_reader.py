"""Reads little-endian fields from a payload, failing with the offset of the missing bytes."""

from __future__ import annotations

from firmware_bridge._errors import MalformedPayload


class PayloadReader:
    """A cursor over one payload; every read past the end raises :class:`MalformedPayload`.

    Parsers read through this so that a truncated packet is always reported the same way:
    what was being decoded, which field, and at which byte it ran out.
    """

    def __init__(self, what: str, data: bytes) -> None:
        self.what = what
        self.data = bytes(data)
        self.offset = 0

    @property
    def remaining(self) -> int:
        return len(self.data) - self.offset

    def fail(self, reason: str, offset: int | None = None) -> MalformedPayload:
        """The error for this payload (the caller raises it)."""
        return MalformedPayload(
            self.what, self.data, reason, self.offset if offset is None else offset
        )

    def take(self, count: int, field: str) -> bytes:
        if count > self.remaining:
            raise self.fail(
                f"{field} needs {count} byte{'s' if count != 1 else ''}, {self.remaining} left"
            )
        chunk = self.data[self.offset : self.offset + count]
        self.offset += count
        return chunk

    def uint(self, size: int, field: str) -> int:
        return int.from_bytes(self.take(size, field), "little")

    def sint(self, size: int, field: str) -> int:
        return int.from_bytes(self.take(size, field), "little", signed=True)

    def u8(self, field: str) -> int:
        return self.uint(1, field)

    def u16(self, field: str) -> int:
        return self.uint(2, field)

    def rest(self) -> bytes:
        chunk = self.data[self.offset :]
        self.offset = len(self.data)
        return chunk
