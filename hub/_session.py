"""One pair's session: the thin shell around the pair's rules (:mod:`hub.rules`).

It feeds the rules what happens (device events, link changes, messages from the relay, the
broker coming and going, the clock) and carries out what they decide, in order, through
small protocols: the outbox (the relay), one alerter per local wrist, the event sink, and
the level store (saved before anything is published): :mod:`hub._effects` carries them out.
It never blocks: playing a pattern runs in a task, whose outcome is reported when it ends,
and the disk is waited for in a thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from firmware_bridge import AccelBatch, DeviceEvent, LinkEvent
from hub._effects import Effects
from hub._events import LinkChanged
from hub._messages import (
    AckMessage,
    HubStatusMessage,
    SignalMessage,
    StateMessage,
    new_signal_id,
    utc_now,
)
from hub._ports import Alerter, EventSink, LevelStore, Outbox
from hub._sensing import WearerSensors
from hub.rules import (
    AckAsked,
    BrokerChanged,
    DeviceLink,
    Effect,
    Gesture,
    HeardAck,
    HeardHub,
    HeardSignal,
    HeardState,
    Input,
    PairRules,
    Publish,
    ResumeAsked,
    SavedLevel,
    SessionSettings,
    Tick,
    Unreachable,
)
from signals import ComfortSignal, HapticPattern, InputEvent, SignalSource

log = logging.getLogger(__name__)

Observer = EventSink
# Takes a gesture; returns the gestures to read as signals now (none while practising).
GestureHook = Callable[[InputEvent], Sequence[InputEvent]]
M = TypeVar("M", SignalMessage, AckMessage)

__all__ = ["Observer", "PairSession", "SessionSettings"]


class PairSession:
    """The signal rules for the local wearers of one pair, wired to the world."""

    def __init__(
        self,
        pair_id: str,
        pair: tuple[str, str],
        players: Mapping[str, Alerter],
        outbox: Outbox,
        *,
        observer: EventSink,
        settings: SessionSettings | None = None,
        store: LevelStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        hub_id: str | None = None,
    ) -> None:
        self.pair_id = pair_id
        self.settings = settings or SessionSettings()
        self.rules = PairRules(
            pair, list(players), hub_id=hub_id or "-".join(players), settings=self.settings
        )
        self._players = players
        self._outbox = outbox
        self._observe = observer
        self._store = store
        self._clock = clock
        self._sensors = {
            name: WearerSensors(name, self.settings, notice=observer) for name in players
        }
        self._effects = Effects(
            pair_id, players, outbox, observer=observer, store=store, clock=clock
        )
        # hub.practice looks at gestures first (rehearsal, check-in answers) and hands on
        # those that are signals.
        self._gesture_hooks: dict[str, GestureHook] = {}
        # hub.practice keeps a rehearsing wearer's raw acceleration for tap calibration.
        self._accel_hooks: dict[str, Callable[[AccelBatch], None]] = {}

    # -- looking in -------------------------------------------------------------------------

    @property
    def local_wearers(self) -> list[str]:
        return list(self.rules.local)

    def held(self, wearer: str) -> ComfortSignal | None:
        """The level ``wearer`` holds by their own gestures."""
        return self.rules.local[wearer].classifier.held

    def effective_level(self, wearer: str) -> ComfortSignal | None:
        """What ``wearer``'s partner is told: their own level, at least pause while held."""
        return self.rules.local[wearer].effective_level

    def partner_level(self, wearer: str) -> ComfortSignal | None:
        """The level ``wearer``'s partner holds, as far as this hub knows."""
        return self.rules.partner_level(wearer)

    def partner_unreachable(self, wearer: str) -> str | None:
        """Why ``wearer``'s partner may not hear them, in the page's words; None when the
        partner's side can be heard (or is on this hub)."""
        why = self.rules.local[wearer].unreachable
        partner = self.partner_of(wearer)
        if not why:
            return None
        if Unreachable.BROKER in why:
            return f"this hub lost the MQTT broker: signals may not reach {partner}; pause"
        if Unreachable.PARTNER_HUB_UNHEARD in why:
            return f"{partner}'s hub has not been heard: signals may not reach them; pause"
        return f"{partner}'s hub cannot be heard: signals may not reach them; pause"

    def awaiting_ack(self, wearer: str) -> str | None:
        """The partner's signal id ``wearer`` has been alerted to and not acknowledged."""
        message = self.awaiting(wearer)
        return message.id if message is not None else None

    def awaiting(self, wearer: str) -> SignalMessage | None:
        """The partner's signal ``wearer`` has been alerted to and not acknowledged."""
        pending = self.rules.local[wearer].pending
        return pending.message if pending is not None else None

    # -- feeding the rules ----------------------------------------------------------------

    def restore(self) -> None:
        """Takes up the levels and last acks saved before a restart, and tells the partners
        again."""
        if self._store is None:
            return
        saved: dict[str, SavedLevel] = {}
        acks: dict[str, AckMessage] = {}
        for name in self.rules.local:
            level = self._store.load(self.pair_id, name)
            saved[name] = SavedLevel(level.level, level.signal_id, level.since, level.next_seq)
            if level.ack_id is not None and level.ack_at is not None:
                acks[name] = AckMessage(id=level.ack_id, by=name, at=level.ack_at)
        self._effects.carry_out(self.rules.restore(saved, self._clock(), acks))

    def device_event(self, wearer: str, event: DeviceEvent) -> None:
        if isinstance(event, AccelBatch) and (watch := self._accel_hooks.get(wearer)):
            watch(event)
        inputs, records = self._sensors[wearer].read(event, self._clock())
        for record in records:
            self._observe(record)
        hook = self._gesture_hooks.get(wearer)
        for each in inputs:
            if isinstance(each, Gesture) and hook is not None:
                # A rehearsed gesture is practice, never a signal; what the hook hands on is
                # real (the gesture itself, or a whole tap burst that cut through a rehearsal).
                for real in hook(each.event):
                    self._feed(Gesture(wearer, real, each.at))
                continue
            self._feed(each)

    def link_event(self, wearer: str, event: LinkEvent) -> None:
        self._observe(LinkChanged(wearer, event))
        now = self._clock()
        self._sensors[wearer].link(event.state, now)
        self._feed(DeviceLink(wearer, event.state, now))

    def resume(self, wearer: str) -> SignalMessage | None:
        """``wearer`` lifts their own level (from their side of the page).

        Returns None when they hold nothing; nobody can lift the partner's level.
        """
        return _first(self._feed(ResumeAsked(wearer, self._clock())), SignalMessage)

    def acknowledge(self, wearer: str) -> AckMessage | None:
        """``wearer`` acknowledges the partner's latest signal (from the page, say).

        Returns the ack sent, or None when there was nothing to acknowledge.
        """
        return _first(self._feed(AckAsked(wearer, self._clock())), AckMessage)

    def tick(self) -> None:
        """Time-driven rules: re-alerts, acknowledgements, contact, silent hubs. Call a few
        times a second."""
        now = self._clock()
        for sensors in self._sensors.values():
            for each in sensors.tick(now):
                self._feed(each)
        self._feed(Tick(now))

    async def settled(self) -> None:
        """Waits until every effect queued behind a wrist's alert (and any save or commit in
        a thread) is carried out: the publishes after it are in the outbox (the hub waits
        for this when told to stop, so a stop made at that moment still leaves)."""
        await self._effects.settled()

    # -- hooks for hub.practice (rehearsal, check-ins, aftercare) --------------------------

    def partner_of(self, wearer: str) -> str:
        return self.rules.local[wearer].partner

    def divert_gestures(self, wearer: str, hook: GestureHook | None) -> None:
        """``hook`` sees ``wearer``'s gestures first and returns those that are signals."""
        if hook is None:
            self._gesture_hooks.pop(wearer, None)
        else:
            self._gesture_hooks[wearer] = hook

    def watch_acceleration(self, wearer: str, hook: Callable[[AccelBatch], None]) -> None:
        """``hook`` sees each of ``wearer``'s raw acceleration batches too."""
        self._accel_hooks[wearer] = hook

    def recalibrate(self, wearer: str) -> None:
        """``wearer``'s tap calibration changed: their detector takes it up at once."""
        self._sensors[wearer].recalibrate()

    def play(self, wearer: str, pattern: HapticPattern) -> None:
        """Plays ``pattern`` on a local wearer's wrist, after what plays or waits there;
        changes no level, needs no ack."""
        self._players[wearer].notify(pattern)

    def publish_rehearsal(self, wearer: str, signal: ComfortSignal) -> SignalMessage:
        """Publishes a rehearsed ``signal`` on its own topic: it never reaches a level."""
        message = SignalMessage(
            id=new_signal_id(), seq=0, signal=signal, source=SignalSource.REHEARSAL, at=utc_now()
        )
        self._outbox.publish_rehearsal(wearer, message)
        return message

    # -- the relay's listener ---------------------------------------------------------------

    def on_signal(self, wearer: str, message: SignalMessage) -> None:
        self._feed(HeardSignal(wearer, message, self._clock()))

    def on_ack(self, wearer: str, message: AckMessage) -> None:
        self._feed(HeardAck(wearer, message, self._clock()))

    def on_state(self, wearer: str, message: StateMessage) -> None:
        self._feed(HeardState(wearer, message, self._clock()))

    def on_hub(self, hub: str, message: HubStatusMessage, *, alive: bool) -> None:
        self._feed(HeardHub(hub, message, alive, self._clock()))

    def on_broker(self, connected: bool) -> None:
        self._feed(BrokerChanged(connected, self._clock()))

    # -- carrying out -----------------------------------------------------------------------

    def _feed(self, event: Input) -> list[Effect]:
        effects = self.rules.feed(event)
        self._effects.carry_out(effects)
        return effects


def _first(effects: list[Effect], kind: type[M]) -> M | None:
    """The first message of ``kind`` the effects publish (what a page's request sent)."""
    for effect in effects:
        if isinstance(effect, Publish) and isinstance(effect.message, kind):
            return effect.message
    return None
