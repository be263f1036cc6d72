"""A local wearer's own side: gestures become signals, link and contact holds, resume and
acknowledge, each signal and ack durable before it is published."""

from __future__ import annotations

from firmware_bridge import LinkState
from hub._events import AckSent, SignalSent
from hub._messages import AckMessage, SignalMessage, StateMessage
from hub.rules._base import RulesBase
from hub.rules._io import Commit, Publish, Save, SavedLevel
from hub.rules._wearers import LinkHold, LocalWearer, Sent
from signals import AckIntent, ComfortSignal, SignalIntent, SignalSource


class OwnSide(RulesBase):
    def _intent(self, local: LocalWearer, intent: SignalIntent | AckIntent, at: float) -> None:
        if isinstance(intent, SignalIntent):
            self._emit(local, intent.signal, intent.source, intent.at, at)
        else:
            self._acknowledge(local, at)

    def _device_spoke(self, local: LocalWearer, at: float) -> None:
        if LinkHold.STALE in local.holds:
            self._set_hold(local, LinkHold.STALE, False, at)

    def _device_link(self, local: LocalWearer, state: LinkState, at: float) -> None:
        if state in (LinkState.LOST, LinkState.STALE):
            self._set_hold(local, LinkHold(LinkHold[state.name]), True, at)
            return
        for hold in (LinkHold.LOST, LinkHold.STALE):
            self._set_hold(local, hold, False, at)
        if local.pending is not None:
            # Whatever was waiting for this wrist is played now it can be felt.
            self._realert(local, local.pending, at)

    def _set_hold(self, local: LocalWearer, hold: LinkHold, on: bool, at: float) -> None:
        if on:
            local.holds.add(hold)
        else:
            local.holds.discard(hold)
        level = local.effective_level
        said = local.state.signal if local.state is not None else "clear"
        if (level or "clear") == said:
            # The partner was told this level already, as the retained state says (a stop
            # held as the link drops, a link pause as the sensor leaves the skin too): same
            # level, same signal, and an ack of it stands; a new id would make it wait, and
            # buzz, all over again. Only a raise (a hold over less than a pause) or a fall
            # (the hold over, back to what the wearer holds) is news. The state, not the
            # last signal, is the yardstick: a partner may have learnt the level from it
            # (a slow down tapped during a hold is said with the pause still in force).
            return
        self._emit(local, level or ComfortSignal.RESUME, SignalSource.LINK, at, at)

    def _resume(self, local: LocalWearer, at: float) -> None:
        if local.classifier.held is None:
            return  # nothing held: nobody can lift the partner's level from here
        local.classifier.hold(None)
        self._emit(local, ComfortSignal.RESUME, SignalSource.MANUAL, at, at)

    def _emit(
        self,
        local: LocalWearer,
        signal: ComfortSignal,
        source: SignalSource,
        input_at: float,
        at: float,
    ) -> None:
        message = SignalMessage(
            id=self._new_id(), seq=local.next_seq, signal=signal, source=source, at=self._wall()
        )
        local.next_seq += 1
        local.sent.add(message.id, Sent(message, input_at))
        level = local.effective_level
        local.state = StateMessage(
            signal=level if level is not None else "clear",
            id=message.id,
            seq=message.seq,
            since=message.at,
        )
        # A partner on this hub feels it first, before any disk wait; then the signal's row
        # and the level are committed together, and only then does the signal leave.
        partner = self.local.get(local.partner)
        alerted = (
            self._buzz_alert(partner, local.name, message, at) if partner is not None else None
        )
        self._record(SignalSent(local.name, message, input_at))
        if alerted is not None:
            self._record(alerted)
        saved = SavedLevel(local.classifier.held, message.id, message.at, local.next_seq)
        self._out.append(Save(local.name, saved))
        self._out.append(Publish(local.name, message))
        self._out.append(Publish(local.name, local.state))

    def _acknowledge(self, local: LocalWearer, at: float) -> None:
        pending, local.pending = local.pending, None
        if pending is None:
            return  # nothing to acknowledge: a stray press
        message = AckMessage(id=pending.message.id, by=local.name, at=self._wall())
        local.acks_sent.add(message.id, None)
        local.last_ack = message
        # A signaller on this hub is told first; the ack's row is durable before it leaves.
        signaller = self.local.get(pending.sender)
        if signaller is not None:
            self._confirm(signaller, message)
        self._record(AckSent(local.name, message))
        self._out.append(Commit(local.name, message))
        self._out.append(Publish(local.name, message))
