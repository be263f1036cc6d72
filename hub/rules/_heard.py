"""The partner's side, as the broker tells it: signals, acks and retained states on the
pair's topics, the hubs' status and heartbeats, and the broker itself coming and going."""

from __future__ import annotations

from hub._events import BrokerChanged as BrokerNoted
from hub._events import DuplicateDropped, PartnerUnreachable
from hub._messages import AckMessage, SignalMessage, StateMessage
from hub.rules._base import RulesBase
from hub.rules._io import Buzz, Publish
from hub.rules._wearers import LocalWearer, Unreachable
from signals import LINK_RESTORED, ComfortSignal, SignalSource, pattern_for


class BrokerSide(RulesBase):
    def _heard_signal(self, wearer: str, message: SignalMessage, at: float) -> None:
        if self._refused_name(wearer, f"{message.signal} {message.id}"):
            return
        if message.source is SignalSource.REHEARSAL:
            self._refuse(wearer, f"rehearsal {message.id} on {wearer}'s signal topic: not real")
            return
        if wearer in self.local:
            local = self.local[wearer]
            # An older seq than ours: our own from before a restart (or a replay); either
            # way nothing to act on. A newer one is someone speaking for this wearer.
            if message.id not in local.sent and message.seq >= local.next_seq:
                self._refuse(
                    wearer,
                    f"{message.signal} {message.id} on {wearer}'s topic was not sent by "
                    f"{wearer}'s side: only {wearer} can signal (or resume) for {wearer}",
                )
            return  # else our own signal back from the broker: already delivered
        remote = self.remote[wearer]
        if message.id in remote.seen:
            self._record(DuplicateDropped(wearer, message.id))
            return
        if remote.last_seq is not None and message.seq <= remote.last_seq:
            # Late: a newer signal of theirs, or the state it set, was taken in already.
            remote.seen.add(message.id, None)
            return
        if message.signal is ComfortSignal.RESUME and remote.known and remote.level is None:
            # Nothing to lift: never announced as lifting anything, and not remembered, so
            # it moves no counter a later genuine signal must pass.
            self._refuse(
                wearer,
                f"resume {message.id} from {wearer}, who holds no level: nothing to lift",
            )
            return
        remote.seen.add(message.id, None)
        remote.last_seq = message.seq
        if message.signal.is_level or message.signal is ComfortSignal.RESUME:
            remote.level = message.signal if message.signal.is_level else None
            remote.known = True
        self._alert_partners_of(wearer, message, at)

    def _heard_state(self, wearer: str, message: StateMessage, at: float) -> None:
        if self._refused_name(wearer, "state") or wearer in self.local:
            return  # our own retained state back from the broker
        remote = self.remote[wearer]
        level = None if message.signal == "clear" else message.signal
        if message.seq is not None:
            if remote.last_seq is not None and message.seq <= remote.last_seq:
                return  # the signal that set it, or a newer one, was taken in
            remote.last_seq = message.seq
        if message.id is not None:
            if message.id in remote.seen:
                return  # the signal that set it was taken in
            remote.seen.add(message.id, None)
        remote.known = True
        if level == remote.level:
            return
        # A level change this hub never heard as a signal: alert it as the signal would have.
        remote.level = level
        missed = SignalMessage(
            id=message.id or self._new_id(),
            seq=message.seq or 0,
            signal=level or ComfortSignal.RESUME,
            source=SignalSource.LINK,
            at=message.since,
        )
        self._alert_partners_of(wearer, missed, at)

    def _heard_ack(self, wearer: str, message: AckMessage, at: float) -> None:
        if self._refused_name(wearer, f"ack {message.id}"):
            return
        if wearer in self.local:
            if message.id not in self.local[wearer].acks_sent:
                self._refuse(
                    wearer, f"ack {message.id} on {wearer}'s topic was not sent by this hub"
                )
            return
        if message.by != wearer:
            self._refuse(
                wearer,
                f"ack {message.id} on {wearer}'s topic names {message.by!r}: "
                f"only {wearer} acknowledges on {wearer}'s topic",
            )
            return
        for local in self.local.values():
            if local.partner == wearer:
                self._confirm(local, message)

    def _alert_partners_of(self, wearer: str, message: SignalMessage, at: float) -> None:
        for local in self.local.values():
            if local.partner == wearer:
                self._alert(local, wearer, message, at)

    def _refused_name(self, wearer: str, what: str) -> bool:
        if wearer in self.local or wearer in self.remote:
            return False
        self._refuse(wearer, f"{what} names {wearer!r}, who is not in this pair")
        return True

    def _set_unreachable(self, local: LocalWearer, why: Unreachable, on: bool, at: float) -> None:
        if local.partner in self.local:
            return  # both on this hub: alerts do not need the broker
        was = bool(local.unreachable)
        if on:
            local.unreachable.add(why)
        else:
            local.unreachable.discard(why)
        if bool(local.unreachable) == was:
            return
        reason = ", ".join(sorted(u.value for u in local.unreachable)) or why.value
        self._record(PartnerUnreachable(local.name, local.partner, reason, back=not on))
        if not on:
            self._out.append(Buzz(local.name, LINK_RESTORED, None))
            return
        # A notice of its own, never the pending signal: the stop waiting stays waiting.
        pending = local.pending
        if pending is not None and pending.message.signal.severity > ComfortSignal.PAUSE.severity:
            self._out.append(Buzz(local.name, pattern_for(pending.message.signal), None))
        else:
            self._out.append(Buzz(local.name, pattern_for(ComfortSignal.PAUSE), None))

    def _say_again(self) -> None:
        """Publishes the local wearers' retained state and last ack again, freshly sealed."""
        for local in self.local.values():
            for retained in (local.state, local.last_ack):
                if retained is not None:
                    self._out.append(Publish(local.name, retained))

    def _check_partner_hubs(self, at: float) -> None:
        for local in self.local.values():
            gone = self.hubs.gone(local.partner, at)
            for why in (
                Unreachable.PARTNER_HUB_OFFLINE,
                Unreachable.PARTNER_HUB_SILENT,
                Unreachable.PARTNER_HUB_UNHEARD,
            ):
                self._set_unreachable(local, why, why is gone, at)

    def _broker(self, connected: bool, at: float) -> None:
        self._record(BrokerNoted(connected, at))
        if connected:
            self.hubs.heard_anew(at)
            # A broker restarted empty has lost every retained message: say them again.
            self._say_again()
        else:
            self.hubs.broker_lost()
        for local in self.local.values():
            self._set_unreachable(local, Unreachable.BROKER, not connected, at)
