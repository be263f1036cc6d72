"""What practice needs from the pair's session, and what it answers a request it cannot do."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from firmware_bridge import AccelBatch
from hub._messages import SignalMessage
from signals import ComfortSignal, HapticPattern, InputEvent


class SessionHooks(Protocol):
    """What practice needs from the pair's session, and nothing more."""

    @property
    def local_wearers(self) -> list[str]: ...
    def partner_of(self, wearer: str) -> str: ...
    def divert_gestures(
        self, wearer: str, hook: Callable[[InputEvent], Sequence[InputEvent]] | None
    ) -> None: ...
    def play(self, wearer: str, pattern: HapticPattern) -> None: ...
    def publish_rehearsal(self, wearer: str, signal: ComfortSignal) -> SignalMessage: ...
    def watch_acceleration(self, wearer: str, hook: Callable[[AccelBatch], None]) -> None: ...
    def recalibrate(self, wearer: str) -> None: ...


class PracticeError(ValueError):
    """A request that cannot be done now (the message says why, for the page)."""
