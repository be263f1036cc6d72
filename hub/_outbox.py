"""What the relay has to send, kept until the broker has acknowledged it (QoS 1).

A message leaves the outbox only once the broker has it, so a signal made while the broker is
away, or lost with a connection, is sent again when it is back. Each entry is sealed when first
sent (see :class:`Outgoing`), and a resend sends the same bytes.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class Outgoing:
    topic: str
    # The bytes to send, or what seals them: sealed when first sent, so that a signal's
    # state, published right after it, is not sealed while the signal still waits to leave.
    # A resend sends the same bytes, which receivers take as a repeat.
    content: bytes | Callable[[], bytes]
    retain: bool

    def payload(self) -> bytes:
        if not isinstance(self.content, bytes):
            self.content = self.content()
        return self.content


class Outbox:
    def __init__(self) -> None:
        self._waiting: deque[Outgoing] = deque()
        self._changed = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()

    def put(self, outgoing: Outgoing) -> None:
        self._waiting.append(outgoing)
        self._drained.clear()
        self._changed.set()

    def first(self) -> Outgoing | None:
        """The oldest message not yet acknowledged, or None."""
        return self._waiting[0] if self._waiting else None

    def sent(self) -> None:
        """The broker acknowledged the oldest message."""
        self._waiting.popleft()
        if not self._waiting:
            self._drained.set()

    async def changed(self) -> None:
        """Waits until something is put after this call."""
        self._changed.clear()
        await self._changed.wait()

    @property
    def topics(self) -> list[str]:
        """The topics of what waits, oldest first."""
        return [outgoing.topic for outgoing in self._waiting]

    async def drained(self) -> None:
        """Waits until the broker has acknowledged everything put so far, including anything
        put while waiting."""
        while True:
            await self._drained.wait()
            # Something may have been put between the wake-up and now: wait for it too.
            if self._drained.is_set():
                return
