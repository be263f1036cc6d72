"""One pair's session: gestures become signals, partners' signals become alerts, acks confirm.

The session is the only place that applies the signal rules; it is fed by the wearables'
links (device events) and by the relay (messages from the broker), and talks back through
the relay and the alert players. It never blocks: slow work runs in tasks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from firmware_bridge import DeviceEvent, HeartReading, LinkEvent
from hub._alerts import AlertPlayer, played
from hub._events import (
    AckSent,
    AlertUndelivered,
    BrokerChanged,
    Confirmed,
    DuplicateDropped,
    HeartRate,
    HubEvent,
    LinkChanged,
    PartnerAlerted,
    Refused,
    SignalSent,
)
from hub._messages import (
    AckMessage,
    SignalMessage,
    StateMessage,
    new_signal_id,
    utc_now,
)
from hub._relay import MqttRelay
from signals import (
    CONFIRMATION,
    AckIntent,
    ComfortSignal,
    GestureClassifier,
    GestureVocabulary,
    InputEvent,
    SignalIntent,
    pattern_for,
)

log = logging.getLogger(__name__)

Observer = Callable[[HubEvent], None]

# Ids remembered for dropping duplicates; far more than a session produces in minutes.
SEEN_IDS_KEPT = 4096


class _SeenIds:
    def __init__(self, size: int = SEEN_IDS_KEPT) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def first_time(self, key: str) -> bool:
        if key in self._ids:
            return False
        self._ids[key] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True


@dataclass
class _Sent:
    wearer: str
    message: SignalMessage
    input_at: float
    confirmed: bool = False


@dataclass
class _Wearer:
    name: str
    partner: str
    classifier: GestureClassifier
    player: AlertPlayer
    seq: int = 0
    # The partner's latest signal this wearer was alerted to and has not acknowledged.
    awaiting_ack: str | None = None
    sent: dict[str, _Sent] = field(default_factory=dict)


class PairSession:
    """The signal rules for the local wearers of one pair."""

    def __init__(
        self,
        pair: tuple[str, str],
        players: Mapping[str, AlertPlayer],
        relay: MqttRelay,
        *,
        observer: Observer,
        vocabulary: GestureVocabulary | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        first, second = pair
        if first == second:
            raise ValueError(f"a pair needs two different wearers, got {first!r} twice")
        unknown = set(players) - set(pair)
        if unknown:
            raise ValueError(f"wearers {sorted(unknown)} are not in the pair {pair}")
        partners = {first: second, second: first}
        self._relay = relay
        self._observe = observer
        self._clock = clock
        self._wearers = {
            name: _Wearer(name, partners[name], GestureClassifier(vocabulary), player)
            for name, player in players.items()
        }
        self._seen = _SeenIds()
        self._signals: dict[str, _Sent] = {}

    @property
    def local_wearers(self) -> list[str]:
        return list(self._wearers)

    def held(self, wearer: str) -> ComfortSignal | None:
        return self._wearers[wearer].classifier.held

    # -- from the wearables ---------------------------------------------------------------

    def device_event(self, wearer: str, event: DeviceEvent) -> None:
        local = self._wearers[wearer]
        if isinstance(event, InputEvent):
            for intent in local.classifier.feed(event):
                if isinstance(intent, SignalIntent):
                    self._send_signal(local, intent)
                elif isinstance(intent, AckIntent):
                    self._acknowledge(local)
        elif isinstance(event, HeartReading):
            self._observe(HeartRate(wearer, event))

    def link_event(self, wearer: str, event: LinkEvent) -> None:
        self._observe(LinkChanged(wearer, event))

    def _send_signal(self, local: _Wearer, intent: SignalIntent) -> None:
        message = SignalMessage(
            id=new_signal_id(),
            seq=local.seq,
            signal=intent.signal,
            source=intent.source,
            at=utc_now(),
        )
        local.seq += 1
        sent = _Sent(local.name, message, intent.at)
        self._signals[message.id] = sent
        self._relay.publish_signal(local.name, message)
        if intent.signal.is_level or intent.signal is ComfortSignal.RESUME:
            held = local.classifier.held
            self._relay.publish_state(
                local.name,
                StateMessage(
                    signal=held if held is not None else "clear", id=message.id, since=message.at
                ),
            )
        self._observe(SignalSent(local.name, message, intent.at))

    def acknowledge(self, wearer: str) -> AckMessage | None:
        """``wearer`` acknowledges the partner's latest signal (from the page, say).

        Returns the ack sent, or None when there was nothing to acknowledge.
        """
        return self._acknowledge(self._wearers[wearer])

    def _acknowledge(self, local: _Wearer) -> AckMessage | None:
        signal_id, local.awaiting_ack = local.awaiting_ack, None
        if signal_id is None:
            return None  # nothing to acknowledge: a stray press
        message = AckMessage(id=signal_id, by=local.name, at=utc_now())
        self._relay.publish_ack(local.name, message)
        self._observe(AckSent(local.name, message))
        return message

    def awaiting_ack(self, wearer: str) -> str | None:
        """The partner's signal id ``wearer`` has been alerted to and not acknowledged."""
        return self._wearers[wearer].awaiting_ack

    # -- from the broker ------------------------------------------------------------------

    def on_signal(self, wearer: str, message: SignalMessage) -> None:
        if not self._seen.first_time(f"signal:{message.id}"):
            self._observe(DuplicateDropped(wearer, message.id))
            return
        origin = self._signals.get(message.id)
        for local in self._wearers.values():
            if local.partner != wearer:
                continue
            if message.signal.is_level or message.signal is ComfortSignal.CHECK_IN:
                local.awaiting_ack = message.id
            elif message.signal is ComfortSignal.RESUME:
                local.awaiting_ack = None
            now = self._clock()
            latency = (now - origin.input_at) * 1000 if origin is not None else None
            task = local.player.alert(pattern_for(message.signal))
            task.add_done_callback(self._report_undelivered(local.name, message))
            self._observe(PartnerAlerted(local.name, wearer, message, now, latency))

    def on_ack(self, wearer: str, message: AckMessage) -> None:
        if not self._seen.first_time(f"ack:{message.id}:{wearer}"):
            self._observe(DuplicateDropped(wearer, message.id))
            return
        sent = self._signals.get(message.id)
        if sent is None or sent.confirmed:
            return  # not a signal of this hub's wearers, or already confirmed
        signaller = self._wearers[sent.wearer]
        if wearer != signaller.partner or message.by != wearer:
            reason = (
                f"ack of {sent.wearer}'s signal {message.id} on {wearer}'s topic "
                f"(by {message.by!r}): only {signaller.partner} can acknowledge it"
            )
            log.warning("refused %s", reason)
            self._observe(Refused(wearer, reason))
            return
        sent.confirmed = True
        task = signaller.player.confirm(CONFIRMATION)

        def report(done: asyncio.Task[bool]) -> None:
            self._observe(
                Confirmed(signaller.name, message.id, wearer, self._clock(), played(done))
            )

        task.add_done_callback(report)

    def _report_undelivered(
        self, wearer: str, message: SignalMessage
    ) -> Callable[[asyncio.Task[bool]], None]:
        def report(done: asyncio.Task[bool]) -> None:
            # A cancelled alert was replaced by a newer one: that is not a failure.
            if not done.cancelled() and not played(done):
                self._observe(AlertUndelivered(wearer, message))

        return report

    def on_state(self, wearer: str, message: StateMessage) -> None:
        """Retained states are read by the web page and by restart recovery."""

    def on_broker(self, connected: bool) -> None:
        self._observe(BrokerChanged(connected, self._clock()))
