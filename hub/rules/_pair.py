"""The pair's rules as a pure state machine: inputs with a time in, effects out.

No asyncio, no broker, no clock of its own (the time comes with each input; wall-clock
stamps and ids for outgoing messages are injected). The rules:

- a wearer's level only rises until that wearer resumes it; nothing else lowers it;
- a partner on this hub is alerted directly, so the broker is never in the way of a stop
  between two wrists on one hub; the broker's copy is recognised as this hub's own;
- an unacknowledged pause or stop is alerted again every ``realert_interval_s`` until the
  partner acknowledges it or its signaller resumes; a link notice never replaces or clears it;
- a signal or ack on a local wearer's topic that this hub did not send is refused (forged);
  messages naming wearers outside the pair are refused before they touch any state;
- a message is remembered as seen only once it is accepted, per wearer, in bounded memory;
- an ack counts only from the signaller's partner, and confirms a signal once;
- a level change learnt from a retained state alerts exactly as the signal would have;
- a signal the wearer already acknowledged (the last ack is kept over a restart) is felt
  again as the level held, never waited for or re-alerted again;
- when a local wearer's side cannot be relied on (link lost or silent, sensor off the skin)
  their partner is told to pause, and told when it is over, only when that changes the level
  they were told (a stop held through a blip stays the same signal, its ack standing);
- when the partner's side cannot be heard (broker lost, the partner's hub offline, silent, or
  never heard since this hub started or connected) the local wearer is told to pause, and
  told when it is back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from hub._events import StateRestored
from hub._messages import AckMessage, StateMessage, new_signal_id, utc_now
from hub.rules._heard import BrokerSide
from hub.rules._hubs import PartnerHubs
from hub.rules._io import (
    AckAsked,
    BrokerChanged,
    CheckIn,
    ContactChanged,
    DeviceLink,
    Effect,
    Gesture,
    HeardAck,
    HeardHub,
    HeardSignal,
    HeardState,
    Input,
    ResumeAsked,
    Save,
    SavedLevel,
    Tick,
)
from hub.rules._own import OwnSide
from hub.rules._settings import SessionSettings
from hub.rules._wearers import LinkHold, LocalWearer, RemoteWearer, Unreachable
from signals import ComfortSignal, GestureClassifier, SignalSource


class PairRules(OwnSide, BrokerSide):
    """The rules for the local wearers of one pair. Feed inputs in time order with :meth:`feed`."""

    def __init__(
        self,
        pair: tuple[str, str],
        local: Sequence[str],
        *,
        hub_id: str,
        settings: SessionSettings | None = None,
        new_id: Callable[[], str] = new_signal_id,
        wall_clock: Callable[[], datetime] = utc_now,
    ) -> None:
        first, second = pair
        if first == second:
            raise ValueError(f"a pair needs two different wearers, got {first!r} twice")
        unknown = set(local) - set(pair)
        if unknown:
            raise ValueError(f"wearers {sorted(unknown)} are not in the pair {pair}")
        partners = {first: second, second: first}
        self.settings = settings or SessionSettings()
        self.hub_id = hub_id
        self._new_id = new_id
        self._wall = wall_clock
        self.local = {
            name: LocalWearer(
                name,
                partners[name],
                GestureClassifier(self.settings.vocabulary),
            )
            for name in local
        }
        self.remote = {name: RemoteWearer() for name in pair if name not in self.local}
        self.hubs = PartnerHubs(hub_id)
        self._out: list[Effect] = []

    def feed(self, event: Input) -> list[Effect]:
        """Applies one input; returns what to do, in order."""
        self._out = []
        match event:
            case Gesture(wearer, gesture, at):
                self._device_spoke(self.local[wearer], at)
                for intent in self.local[wearer].classifier.feed(gesture):
                    self._intent(self.local[wearer], intent, at)
            case CheckIn(wearer, advisory, at):
                self._emit(self.local[wearer], advisory.signal, advisory.source, advisory.at, at)
            case ContactChanged(wearer, on_skin, at):
                self._set_hold(self.local[wearer], LinkHold.CONTACT, not on_skin, at)
            case DeviceLink(wearer, state, at):
                self._device_link(self.local[wearer], state, at)
            case ResumeAsked(wearer, at):
                self._resume(self.local[wearer], at)
            case AckAsked(wearer, at):
                self._acknowledge(self.local[wearer], at)
            case HeardSignal(wearer, message, at):
                self._heard_signal(wearer, message, at)
            case HeardAck(wearer, message, at):
                self._heard_ack(wearer, message, at)
            case HeardState(wearer, message, at):
                self._heard_state(wearer, message, at)
            case HeardHub(hub, message, alive, at):
                if self.hubs.heard(hub, message, alive=alive, at=at):
                    # A (re)started hub may count its signals afresh (a store lost, say).
                    for wearer in message.wearers:
                        if wearer in self.remote:
                            self.remote[wearer].last_seq = None
                    # And may have no memory to judge what the broker kept (it takes a
                    # message retained long before it started for history): tell it afresh.
                    self._say_again()
                if alive and hub != self.hub_id:
                    # A heartbeat is live: with no signal or state of theirs heard by then,
                    # they are taken to hold nothing (a retained level arriving after it is
                    # still taken in, and alerted, by the state).
                    for wearer in message.wearers:
                        if wearer in self.remote:
                            self.remote[wearer].known = True
                self._check_partner_hubs(at)
            case BrokerChanged(connected, at):
                self._broker(connected, at)
            case Tick(at):
                self._tick(at)
        out, self._out = self._out, []
        return out

    def restore(
        self,
        saved: Mapping[str, SavedLevel],
        at: float,
        acks: Mapping[str, AckMessage] | None = None,
    ) -> list[Effect]:
        """Takes up the levels (and last acks) saved before a restart, and tells the partners
        again."""
        self._out = []
        for name, ack in (acks or {}).items():
            local = self.local[name]
            # Kept before it was published, and perhaps never was (a hub killed before the
            # broker had it): said again on connecting, as on every reconnect, and known for
            # this hub's own when heard back.
            local.last_ack = ack
            local.acks_sent.add(ack.id, None)
        for name, level in saved.items():
            local = self.local[name]
            local.next_seq = level.next_seq
            if level.level is None:
                if level.signal_id is not None:
                    # Clear now, whatever the last signal said (a link pause ends with the
                    # hub): said as a state of its own, so a partner who saw the pause
                    # learns it is over.
                    self._restate_clear(local)
                continue
            local.classifier.hold(level.level)
            self._record(StateRestored(name, level.level, level.since))
            # The partner may have missed the level while the hub was down: say it again.
            self._emit(local, level.level, SignalSource.LINK, at, at)
        out, self._out = self._out, []
        return out

    def _restate_clear(self, local: LocalWearer) -> None:
        local.state = StateMessage(
            signal="clear", id=self._new_id(), seq=local.next_seq, since=self._wall()
        )
        local.next_seq += 1
        saved = SavedLevel(None, local.state.id, local.state.since, local.next_seq)
        self._out.append(Save(local.name, saved))

    def partner_level(self, wearer: str) -> ComfortSignal | None:
        partner = self.local[wearer].partner
        if partner in self.local:
            return self.local[partner].effective_level
        return self.remote[partner].level

    def _tick(self, at: float) -> None:
        interval = self.settings.realert_interval_s
        for local in self.local.values():
            for intent in local.classifier.tick(at):
                self._intent(local, intent, at)
            pending = local.pending
            if (
                pending is not None
                and pending.message.signal.severity >= ComfortSignal.PAUSE.severity
                and at - pending.last_alert_at >= interval
            ):
                self._realert(local, pending, at)
        if not any(Unreachable.BROKER in local.unreachable for local in self.local.values()):
            self._check_partner_hubs(at)
