"""What every part of the pair's rules shares: the wearers, the effects being gathered, and
alerting a wrist (the partner's signal, a re-alert, a confirmation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hub._events import HubEvent, PartnerAlerted, Realerted, Refused
from hub._messages import AckMessage, SignalMessage
from hub.rules._hubs import PartnerHubs
from hub.rules._io import Buzz, Confirm, Effect, Record
from hub.rules._settings import SessionSettings
from hub.rules._wearers import LocalWearer, Pending, RemoteWearer
from signals import ComfortSignal, pattern_for


class RulesBase:
    settings: SessionSettings
    hub_id: str
    local: dict[str, LocalWearer]
    remote: dict[str, RemoteWearer]
    hubs: PartnerHubs
    _new_id: Callable[[], str]
    _wall: Callable[[], datetime]
    _out: list[Effect]

    def _alert(self, local: LocalWearer, sender: str, message: SignalMessage, at: float) -> None:
        self._record(self._buzz_alert(local, sender, message, at))

    def _buzz_alert(
        self, local: LocalWearer, sender: str, message: SignalMessage, at: float
    ) -> PartnerAlerted:
        """Buzzes ``local``'s wrist with the partner's signal; returns the event to record."""
        pending = local.pending
        if message.signal is ComfortSignal.RESUME:
            if pending is not None and pending.sender == sender:
                local.pending = None
        elif message.id in local.acks_sent:
            # Acknowledged already (a hub restarted with its last ack learns the level it set
            # again): felt once as the level held, never waited for or re-alerted again. A new
            # signal, or a level raised since, has an id of its own and waits as ever.
            pass
        elif message.signal.is_level or pending is None:
            # The sender's level now (lower only when their side's link hold ended); a
            # check-in never takes the place of a level still waiting.
            local.pending = Pending(sender, message, at)
        origin = self.local[sender].sent.get(message.id) if sender in self.local else None
        latency = (at - origin.input_at) * 1000 if origin is not None else None
        self._out.append(Buzz(local.name, pattern_for(message.signal), message))
        return PartnerAlerted(local.name, sender, message, at, latency)

    def _realert(self, local: LocalWearer, pending: Pending, at: float) -> None:
        pending.realerts += 1
        pending.last_alert_at = at
        self._out.append(Buzz(local.name, pattern_for(pending.message.signal), pending.message))
        self._record(Realerted(local.name, pending.sender, pending.message, pending.realerts, at))

    def _confirm(self, signaller: LocalWearer, ack: AckMessage) -> None:
        sent = signaller.sent.get(ack.id)
        if sent is None or sent.confirmed:
            return  # not a signal of this wearer's (any more), or confirmed already
        sent.confirmed = True
        self._out.append(Confirm(signaller.name, ack.id, ack.by))

    def _refuse(self, wearer: str, reason: str) -> None:
        self._record(Refused(wearer, reason))

    def _record(self, event: HubEvent) -> None:
        self._out.append(Record(event))
