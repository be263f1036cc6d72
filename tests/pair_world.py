"""A pair's world for the property tests: two hubs (alex's and sam's) running the pure
rules, with an MQTT broker modelled as the tests rely on mosquitto to behave.

The broker keeps retained messages and, for a hub that is away, the QoS 1 messages of its
persistent session; restarted empty it has neither. It keeps the order of each topic, but
not across topics. A hub's outbox waits while it is away; a crash loses everything but its
saved levels and last acks; a frozen hub says nothing, and the broker drops it after its
keepalive.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hub import AckMessage, HubStatusMessage, SignalMessage, StateMessage
from hub.rules import (
    BrokerChanged,
    Buzz,
    Commit,
    Confirm,
    Effect,
    HeardAck,
    HeardHub,
    HeardSignal,
    HeardState,
    Input,
    PairRules,
    Publish,
    Record,
    Save,
    SavedLevel,
    SessionSettings,
    Tick,
)
from signals import ComfortSignal, SignalSource

PAIR = ("alex", "sam")
SETTINGS = SessionSettings(realert_interval_s=5.0)
# mosquitto drops a silent client after 1.5 keepalives (3 s), but was seen taking more than
# 6 s on a busy machine: the rules must not count on it.
KEEPALIVE_DROP_S = 6.0

AT = datetime(2026, 1, 1, tzinfo=UTC)


def signal_message(message_id: str, seq: int, signal: ComfortSignal) -> SignalMessage:
    return SignalMessage(id=message_id, seq=seq, signal=signal, source=SignalSource.TAP, at=AT)


WireMessage = SignalMessage | AckMessage | StateMessage | HubStatusMessage


@dataclass(frozen=True)
class Delivery:
    """One message on its way to a hub: on ``owner``'s topic (a wearer, or a hub's status)."""

    owner: str
    message: WireMessage
    alive: bool = False

    @property
    def topic(self) -> tuple[str, str]:
        return (self.owner, type(self.message).__name__)

    def as_input(self, at: float) -> Input:
        message = self.message
        if isinstance(message, SignalMessage):
            return HeardSignal(self.owner, message, at)
        if isinstance(message, AckMessage):
            return HeardAck(self.owner, message, at)
        if isinstance(message, StateMessage):
            return HeardState(self.owner, message, at)
        return HeardHub(self.owner, message, self.alive, at)


@dataclass
class Wrist:
    """What one wearer felt: (time, pattern name, message id) per alert, and confirmations."""

    buzzes: list[tuple[float, str, str | None]] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)


@dataclass
class SimHub:
    hub_id: str
    wearer: str
    rules: PairRules | None = None
    connected: bool = False
    frozen_at: float | None = None
    outbox: list[tuple[str, SignalMessage | AckMessage | StateMessage]] = field(
        default_factory=list
    )
    inbox: list[Delivery] = field(default_factory=list)
    store: dict[str, SavedLevel] = field(default_factory=dict)
    acks: dict[str, AckMessage] = field(default_factory=dict)  # kept with the levels
    records: list[object] = field(default_factory=list)  # this incarnation's
    incarnation: int = 0

    @property
    def running(self) -> bool:
        return self.rules is not None and self.frozen_at is None


class World:
    def __init__(self) -> None:
        self.now = 1000.0
        self.broker_up = True
        self.retained: dict[tuple[str, str], Delivery] = {}
        self.sessions: dict[str, list[Delivery]] = {}  # persistent sessions of absent hubs
        self.hubs = {name: SimHub(hub_id=name, wearer=name) for name in PAIR}
        self.wrists = {name: Wrist() for name in PAIR}
        self._ids = (f"id-{n}" for n in itertools.count())
        # Signals a hub sent as it started: the levels held before its restart, said again.
        self.restated: set[str] = set()
        for hub in self.hubs.values():
            self.start(hub)
            self.connect(hub)

    # -- a hub's life -------------------------------------------------------------------------

    def start(self, hub: SimHub) -> None:
        hub.rules = PairRules(
            PAIR, [hub.wearer], hub_id=hub.hub_id, settings=SETTINGS, new_id=self._ids.__next__
        )
        hub.incarnation += 1
        hub.records = []
        said = hub.rules.restore(dict(hub.store), self.now, dict(hub.acks))
        self.restated |= {
            e.message.id
            for e in said
            if isinstance(e, Publish) and isinstance(e.message, SignalMessage)
        }
        self.apply(hub, said)

    def crash(self, hub: SimHub) -> None:
        hub.rules, hub.frozen_at = None, None
        hub.outbox.clear()
        hub.inbox.clear()
        if hub.connected:
            self.drop(hub)

    def drop(self, hub: SimHub) -> None:
        """The broker loses ``hub``: it keeps its session and publishes its last will."""
        hub.connected = False
        self.sessions.setdefault(hub.hub_id, [])
        self.publish_status(hub, "offline")

    def connect(self, hub: SimHub) -> None:
        assert self.broker_up and hub.running and not hub.connected
        hub.connected = True
        hub.inbox += self.sessions.pop(hub.hub_id, [])
        self.publish_status(hub, "online")
        hub.inbox += [d for d in self.retained.values() if d.owner != hub.hub_id]
        self.flush(hub)
        self.feed(hub, BrokerChanged(True, self.now))

    def flush(self, hub: SimHub) -> None:
        waiting, hub.outbox = hub.outbox, []
        for wearer, message in waiting:
            self.publish(Delivery(wearer, message))

    def broker_down(self, empty: bool) -> None:
        self.broker_up = False
        for hub in self.hubs.values():
            if hub.connected:
                hub.connected = False
                self.sessions.setdefault(hub.hub_id, [])
                if hub.running:
                    self.feed(hub, BrokerChanged(False, self.now))
        if empty:
            self.retained.clear()
            self.sessions.clear()

    # -- the broker -----------------------------------------------------------------------

    def publish(self, delivery: Delivery) -> None:
        retained = StateMessage | AckMessage | HubStatusMessage
        if isinstance(delivery.message, retained) and not delivery.alive:
            self.retained[delivery.topic] = delivery
        for hub in self.hubs.values():
            if hub.connected:
                hub.inbox.append(delivery)
            elif hub.hub_id in self.sessions and not delivery.alive:
                self.sessions[hub.hub_id].append(delivery)

    def publish_status(self, hub: SimHub, status: str, *, alive: bool = False) -> None:
        message = HubStatusMessage.model_validate(
            {
                "status": status,
                "hub": hub.hub_id,
                "wearers": [hub.wearer],
                "at": "2026-01-01T00:00:00Z",
            }
        )
        self.publish(Delivery(hub.hub_id, message, alive=alive))

    def next_deliverable(self, hub: SimHub, pick: int) -> int:
        """The ``pick``-th message that may go next: the first of its topic in the inbox."""
        firsts: dict[tuple[str, str], int] = {}
        for index, delivery in enumerate(hub.inbox):
            firsts.setdefault(delivery.topic, index)
        ordered = sorted(firsts.values())
        return ordered[pick % len(ordered)]

    # -- time -----------------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Time passes in steps of at most 0.5 s: heartbeats every second, ticks at each step."""
        end = self.now + seconds
        while self.now < end:
            self.now = min(end, self.now + 0.5)
            for hub in self.hubs.values():
                frozen_at = hub.frozen_at
                if (
                    frozen_at is not None
                    and hub.connected
                    and self.now - frozen_at >= KEEPALIVE_DROP_S
                ):
                    self.drop(hub)
            if int(self.now) != int(self.now - 0.5):
                for hub in self.hubs.values():
                    if hub.running and hub.connected:
                        self.publish_status(hub, "online", alive=True)
                        # Heartbeats go straight through: they are never queued.
                for hub in self.hubs.values():
                    alive = [d for d in hub.inbox if d.alive]
                    hub.inbox = [d for d in hub.inbox if not d.alive]
                    for delivery in alive:
                        if hub.running:
                            self.feed(hub, delivery.as_input(self.now))
            for hub in self.hubs.values():
                if hub.running:
                    self.feed(hub, Tick(self.now))

    # -- effects --------------------------------------------------------------------------

    def feed(self, hub: SimHub, event: Input) -> list[Effect]:
        assert hub.rules is not None
        effects = hub.rules.feed(event)
        self.apply(hub, effects)
        return effects

    def apply(self, hub: SimHub, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, Save):
                hub.store[effect.wearer] = effect.saved
            elif isinstance(effect, Commit):
                hub.acks[effect.wearer] = effect.ack
            elif isinstance(effect, Publish):
                # Like the relay: through the outbox, in order, sent while connected.
                hub.outbox.append((effect.wearer, effect.message))
                if hub.connected:
                    self.flush(hub)
            elif isinstance(effect, Buzz):
                message_id = effect.message.id if effect.message is not None else None
                self.wrists[effect.wearer].buzzes.append(
                    (self.now, effect.pattern.name, message_id)
                )
            elif isinstance(effect, Confirm):
                self.wrists[effect.wearer].confirmed.append(effect.signal_id)
            elif isinstance(effect, Record):
                hub.records.append(effect.event)

    def level_held(self, wearer: str) -> ComfortSignal | None:
        store = self.hubs[wearer].store.get(wearer)
        return store.level if store is not None else None
