"""The small protocols through which the session's shell carries out the rules' effects:
the mirror of :class:`hub._relay_ports.RelayListener`. Tests and other stores plug in here."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from hub._events import HubEvent
from hub._messages import AckMessage, SignalMessage, StateMessage
from signals import ComfortSignal, HapticPattern

EventSink = Callable[[HubEvent], None]


class Outbox(Protocol):
    """Sends a message on ``wearer``'s topic of its kind, at least once, in order."""

    def publish(self, wearer: str, message: SignalMessage | AckMessage | StateMessage) -> None: ...

    def publish_rehearsal(self, wearer: str, message: SignalMessage) -> None:
        """On the wearer's rehearsal topic, which no hub takes for a signal."""


class Alerter(Protocol):
    """Plays patterns on one wearer's wrist (see :class:`hub._alerts.AlertPlayer`): an
    alert at once, a confirmation or a notice in its turn (a link notice cancelling out one
    still waiting); each future ends True once felt."""

    def alert(self, pattern: HapticPattern) -> asyncio.Future[bool]: ...
    def confirm(self, pattern: HapticPattern) -> asyncio.Future[bool]: ...
    def notify(self, pattern: HapticPattern) -> asyncio.Future[bool]: ...
    def notify_link(self, pattern: HapticPattern) -> asyncio.Future[bool]: ...


class Saved(Protocol):
    @property
    def level(self) -> ComfortSignal | None: ...
    @property
    def signal_id(self) -> str | None: ...
    @property
    def since(self) -> datetime | None: ...
    @property
    def next_seq(self) -> int: ...
    @property
    def ack_id(self) -> str | None: ...
    @property
    def ack_at(self) -> datetime | None: ...


class LevelStore(Protocol):
    """Where a local wearer's level, signal counter and last acknowledgement outlive the hub.

    ``save`` and ``save_ack`` return once durable, with every event recorded before them."""

    def save_ack(self, pair: str, wearer: str, ack_id: str, at: datetime) -> None: ...

    def load(self, pair: str, wearer: str) -> Saved: ...

    def save(
        self,
        pair: str,
        wearer: str,
        level: ComfortSignal | None,
        signal_id: str | None,
        since: datetime | None,
        next_seq: int,
    ) -> None: ...
