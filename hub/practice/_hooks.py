"""What practice needs from the pair's session, and the errors a practice request can meet."""

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
    def awaiting(self, wearer: str) -> SignalMessage | None:
        """The partner's real signal ``wearer`` was alerted to and has not acknowledged."""
        ...


class PracticeError(ValueError):
    """A request that cannot be done now (the message says why, for the page)."""


class NotYours(PracticeError):
    """A request about the partner's part of practice (ending their rehearsal, say): only
    they can make it. The message says whose it is, for the page."""
