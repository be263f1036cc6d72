"""What goes into the pair's rules (inputs, each with its time) and what comes out (effects).

Inputs are facts: a wearer gestured, a message was heard, the broker came or went, time
passed. Effects are plain values the shell carries out in order: buzz a local partner's
wrist first (it never waits for the disk), record the event, make it durable (a save, or a
commit), and only then publish. Sound follows the recorded events (a re-alert is sounded by
whoever listens for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from firmware_bridge import LinkState
from hub._events import HubEvent
from hub._messages import AckMessage, HubStatusMessage, SignalMessage, StateMessage
from signals import CheckInAdvisory, ComfortSignal, HapticPattern, InputEvent

# -- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gesture:
    """A tap or press on a local wearer's device."""

    wearer: str
    event: InputEvent
    at: float


@dataclass(frozen=True, slots=True)
class CheckIn:
    """The wearer's heart asks the partner to check in (context, never a decision)."""

    wearer: str
    advisory: CheckInAdvisory
    at: float


@dataclass(frozen=True, slots=True)
class ContactChanged:
    """The wearer's sensor lost (or found again) the skin, by the heart monitor's rule."""

    wearer: str
    on_skin: bool
    at: float


@dataclass(frozen=True, slots=True)
class DeviceLink:
    """The radio link to a local wearer's device changed."""

    wearer: str
    state: LinkState
    at: float


@dataclass(frozen=True, slots=True)
class ResumeAsked:
    """A local wearer lifts their own level from their page."""

    wearer: str
    at: float


@dataclass(frozen=True, slots=True)
class AckAsked:
    """A local wearer acknowledges the partner's signal from their page."""

    wearer: str
    at: float


@dataclass(frozen=True, slots=True)
class HeardSignal:
    wearer: str  # whose topic it came on
    message: SignalMessage
    at: float


@dataclass(frozen=True, slots=True)
class HeardAck:
    wearer: str
    message: AckMessage
    at: float


@dataclass(frozen=True, slots=True)
class HeardState:
    wearer: str
    message: StateMessage
    at: float


@dataclass(frozen=True, slots=True)
class HeardHub:
    """A hub's retained status, or its periodic heartbeat (``alive``)."""

    hub: str
    message: HubStatusMessage
    alive: bool
    at: float


@dataclass(frozen=True, slots=True)
class BrokerChanged:
    connected: bool
    at: float


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passed: re-alerts, acknowledgements that waited for the press gap, silent hubs."""

    at: float


Input = (
    Gesture
    | CheckIn
    | ContactChanged
    | DeviceLink
    | ResumeAsked
    | AckAsked
    | HeardSignal
    | HeardAck
    | HeardState
    | HeardHub
    | BrokerChanged
    | Tick
)

# -- effects ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SavedLevel:
    """What a local wearer's side must find again after a restart."""

    level: ComfortSignal | None
    signal_id: str | None
    since: datetime | None
    next_seq: int


@dataclass(frozen=True, slots=True)
class Save:
    """Persist before the publish that follows: a hub killed right after comes back holding it.

    The events recorded before it are committed in the same transaction, so the row of the
    signal being sent is as durable as the level, at the cost of one commit."""

    wearer: str
    saved: SavedLevel


@dataclass(frozen=True, slots=True)
class Publish:
    """On ``wearer``'s topic of the message's kind (signal, ack, retained state)."""

    wearer: str
    message: SignalMessage | AckMessage | StateMessage


@dataclass(frozen=True, slots=True)
class Buzz:
    """Play ``pattern`` on ``wearer``'s wrist. With a ``message`` (what it tells of), an alert:
    at once, cutting short whatever plays, and reported if it cannot be felt; without, a notice
    (the link lost or back) that waits its turn (see :mod:`hub._alerts`)."""

    wearer: str
    pattern: HapticPattern
    message: SignalMessage | None


@dataclass(frozen=True, slots=True)
class Confirm:
    """Tell ``wearer`` that ``by`` acknowledged their signal (after any alert playing)."""

    wearer: str
    signal_id: str
    by: str


@dataclass(frozen=True, slots=True)
class Record:
    event: HubEvent


@dataclass(frozen=True, slots=True)
class Commit:
    """Keep ``ack`` as ``wearer``'s last acknowledgement, durable with every event recorded so
    far, before it leaves: a hub killed right after the publish has it on record, and one
    killed before the broker had it says it again at its next start."""

    wearer: str
    ack: AckMessage


Effect = Save | Publish | Buzz | Confirm | Record | Commit
