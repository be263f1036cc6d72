"""One pair's session: the signal rules.

Gestures become signals; the partner's signals become alerts; acknowledgements come back as
confirmations. The session is fed by the wearables' links (device events, link events), by
the relay (messages from the broker) and by a periodic :meth:`PairSession.tick` (re-alerts,
contact timeouts). It never blocks: playing a pattern runs in a task.

The rules it keeps:
- a wearer's level only rises until that wearer resumes it;
- a partner on this hub is alerted directly, so the broker is never in the way of a stop
  between two wrists on one hub; the broker's copy is then dropped as a duplicate by id;
- an unacknowledged pause or stop is alerted again every ``realert_interval_s``, with sound;
- a signal on a local wearer's topic that this hub did not send is refused (forged);
- an ack counts only from the signaller's partner, once;
- when a wearer's side cannot be relied on (link lost or stale, sensor off the skin, broker
  or the partner's hub gone) the partner is told to pause, and told again when it is back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from firmware_bridge import AccelBatch, DeviceEvent, HeartReading, LinkEvent, LinkState
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
    PartnerUnreachable,
    Realerted,
    Refused,
    SignalSent,
    StateRestored,
)
from hub._messages import (
    AckMessage,
    SignalMessage,
    StateMessage,
    new_signal_id,
    utc_now,
)
from hub._raw_taps import RawTapFinder
from hub._relay import MqttRelay
from hub._store import StateStore
from hub._tap_calibrations import TapCalibrations
from signals import (
    CONFIRMATION,
    LINK_RESTORED,
    AckIntent,
    CheckInAdvisory,
    ComfortSignal,
    GestureClassifier,
    GestureVocabulary,
    HapticPattern,
    HeartMonitorSettings,
    HeartRateMonitor,
    InputEvent,
    MotionMeter,
    SignalIntent,
    SignalSource,
    TapDetectorSettings,
    pattern_for,
)

log = logging.getLogger(__name__)

Observer = Callable[[HubEvent], None]

# Ids remembered for dropping duplicates; far more than a session produces in minutes.
SEEN_IDS_KEPT = 4096


@dataclass(frozen=True, slots=True)
class SessionSettings:
    # How often an unacknowledged pause or stop is played again (and sounded).
    realert_interval_s: float = 5.0
    # How long a heart-rate sensor may report "no skin contact" before the partner is told
    # to pause: long enough to ride out a strap shifting, short enough to matter.
    contact_timeout_s: float = 10.0
    vocabulary: GestureVocabulary | None = None
    # What counts as a tap in raw acceleration (devices without their own tap events).
    taps: TapDetectorSettings | None = None
    # Each wearer's own tap thresholds per device, fitted in a rehearsal (if kept).
    tap_calibrations: TapCalibrations | None = None
    # When a racing heart asks the partner to check in.
    heart: HeartMonitorSettings | None = None

    def __post_init__(self) -> None:
        for name in ("realert_interval_s", "contact_timeout_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")


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
class _Pending:
    """A partner's signal a local wearer was alerted to and has not acknowledged."""

    sender: str
    message: SignalMessage
    last_alert_at: float
    realerts: int = 0


@dataclass
class _Wearer:
    name: str
    partner: str
    classifier: GestureClassifier
    player: AlertPlayer
    next_seq: int = 0
    pending: _Pending | None = None
    # Why the hub holds this wearer's side at pause (link lost/stale, no skin contact).
    link_hold: str | None = None
    contact_lost_at: float | None = None
    # Why this wearer was told their (remote) partner cannot be heard.
    partner_unreachable: str | None = None
    sent_acks: set[str] = field(default_factory=set)
    raw_taps: RawTapFinder | None = None
    heart: HeartRateMonitor | None = None
    motion: MotionMeter = field(default_factory=MotionMeter)

    @property
    def effective_level(self) -> ComfortSignal | None:
        held = self.classifier.held
        if self.link_hold is None:
            return held
        if held is not None and held.severity >= ComfortSignal.PAUSE.severity:
            return held
        return ComfortSignal.PAUSE


class PairSession:
    """The signal rules for the local wearers of one pair."""

    def __init__(
        self,
        pair_id: str,
        pair: tuple[str, str],
        players: Mapping[str, AlertPlayer],
        relay: MqttRelay,
        *,
        observer: Observer,
        settings: SessionSettings | None = None,
        store: StateStore | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        first, second = pair
        if first == second:
            raise ValueError(f"a pair needs two different wearers, got {first!r} twice")
        unknown = set(players) - set(pair)
        if unknown:
            raise ValueError(f"wearers {sorted(unknown)} are not in the pair {pair}")
        partners = {first: second, second: first}
        self.pair_id = pair_id
        self.settings = settings or SessionSettings()
        self._relay = relay
        self._observe = observer
        self._store = store
        self._clock = clock
        self._wearers = {
            name: _Wearer(name, partners[name], GestureClassifier(self.settings.vocabulary), player)
            for name, player in players.items()
        }
        self._seen = _SeenIds()
        self._signals: dict[str, _Sent] = {}
        # Levels of wearers on other hubs, as their signals and retained states tell.
        self._remote_levels: dict[str, ComfortSignal | None] = {}
        # hub.practice looks at gestures first (rehearsal, check-in answers); True = its own.
        self._gesture_hooks: dict[str, Callable[[InputEvent], bool]] = {}

    # -- looking in -----------------------------------------------------------------------

    @property
    def local_wearers(self) -> list[str]:
        return list(self._wearers)

    def held(self, wearer: str) -> ComfortSignal | None:
        """The level ``wearer`` holds by their own gestures."""
        return self._wearers[wearer].classifier.held

    def effective_level(self, wearer: str) -> ComfortSignal | None:
        """What ``wearer``'s partner is told: their own level, at least pause while held."""
        return self._wearers[wearer].effective_level

    def partner_level(self, wearer: str) -> ComfortSignal | None:
        """The level ``wearer``'s partner holds, as far as this hub knows."""
        partner = self._wearers[wearer].partner
        if partner in self._wearers:
            return self._wearers[partner].effective_level
        return self._remote_levels.get(partner)

    def awaiting_ack(self, wearer: str) -> str | None:
        """The partner's signal id ``wearer`` has been alerted to and not acknowledged."""
        pending = self._wearers[wearer].pending
        return pending.message.id if pending is not None else None

    # -- start-up -------------------------------------------------------------------------

    def restore(self) -> None:
        """Takes up the levels saved before a restart, and tells the partners again."""
        if self._store is None:
            return
        for local in self._wearers.values():
            saved = self._store.load(self.pair_id, local.name)
            local.next_seq = saved.next_seq
            if saved.level is None:
                continue
            local.classifier.hold(saved.level)
            self._observe(StateRestored(local.name, saved.level, saved.since))
            # The partner may have missed the level while the hub was down: say it again.
            self._emit(local, saved.level, SignalSource.LINK, self._clock())

    # -- from the wearables ---------------------------------------------------------------

    def device_event(self, wearer: str, event: DeviceEvent) -> None:
        local = self._wearers[wearer]
        if local.link_hold == LinkState.STALE:
            self._release_link(local)  # it speaks again
        if isinstance(event, InputEvent):
            self._gesture(local, event)
        elif isinstance(event, AccelBatch):
            if local.raw_taps is None:
                local.raw_taps = RawTapFinder(
                    local.name,
                    self.settings.taps,
                    notice=self._observe,
                    calibrations=self.settings.tap_calibrations,
                )
            for tap in local.raw_taps.feed(event):
                self._gesture(local, tap)
            if len(event.times):
                spread = local.motion.feed(event.times, event.xyz_g)
                self._heart(local).note_motion(float(event.times[-1]), spread)
        elif isinstance(event, HeartReading):
            self._observe(HeartRate(wearer, event))
            for finding in self._heart(local).feed(event.at, event.bpm, event.rr_ms, event.contact):
                if isinstance(finding, CheckInAdvisory):
                    # Context, never a decision: heart rate can only ask to check in.
                    self._emit(local, finding.signal, finding.source, finding.at)
            if event.contact is False:
                if local.contact_lost_at is None:
                    local.contact_lost_at = event.at
            elif event.contact is True:
                local.contact_lost_at = None
                if local.link_hold == "contact":
                    self._release_link(local)

    def _heart(self, local: _Wearer) -> HeartRateMonitor:
        if local.heart is None:
            local.heart = HeartRateMonitor(self.settings.heart)
        return local.heart

    def _gesture(self, local: _Wearer, event: InputEvent) -> None:
        hook = self._gesture_hooks.get(local.name)
        if hook is not None and hook(event):
            return  # a rehearsed gesture: practice, never a signal
        for intent in local.classifier.feed(event):
            if isinstance(intent, SignalIntent):
                self._emit(local, intent.signal, intent.source, intent.at)
            elif isinstance(intent, AckIntent):
                self._acknowledge(local)

    def link_event(self, wearer: str, event: LinkEvent) -> None:
        local = self._wearers[wearer]
        self._observe(LinkChanged(wearer, event))
        if event.state in (LinkState.LOST, LinkState.STALE):
            self._hold_link(local, event.state)
        elif event.state in (LinkState.CONNECTED, LinkState.RESTORED):
            if local.link_hold in (LinkState.LOST, LinkState.STALE):
                self._release_link(local)
            if local.pending is not None:
                # Whatever was waiting for this wrist is played now it can be felt.
                self._replay_pending(local, local.pending)

    def resume(self, wearer: str) -> SignalMessage | None:
        """``wearer`` lifts their own level (from their side of the page).

        Returns None when they hold nothing; nobody can lift the partner's level.
        """
        local = self._wearers[wearer]
        if local.classifier.held is None:
            return None
        local.classifier.hold(None)
        return self._emit(local, ComfortSignal.RESUME, SignalSource.MANUAL, self._clock())

    def acknowledge(self, wearer: str) -> AckMessage | None:
        """``wearer`` acknowledges the partner's latest signal (from the page, say).

        Returns the ack sent, or None when there was nothing to acknowledge.
        """
        return self._acknowledge(self._wearers[wearer])

    def tick(self) -> None:
        """Time-driven rules: contact timeouts and re-alerts. Call a few times a second."""
        now = self._clock()
        for local in self._wearers.values():
            if (
                local.contact_lost_at is not None
                and local.link_hold is None
                and now - local.contact_lost_at >= self.settings.contact_timeout_s
            ):
                self._hold_link(local, "contact")
            pending = local.pending
            if (
                pending is not None
                and pending.message.signal.severity >= ComfortSignal.PAUSE.severity
                and now - pending.last_alert_at >= self.settings.realert_interval_s
            ):
                self._replay_pending(local, pending)

    # -- hooks for hub.practice (rehearsal, check-ins, aftercare) --------------------------

    def partner_of(self, wearer: str) -> str:
        return self._wearers[wearer].partner

    def divert_gestures(self, wearer: str, hook: Callable[[InputEvent], bool] | None) -> None:
        """``hook`` sees ``wearer``'s gestures first; those it returns True for are not signals."""
        if hook is None:
            self._gesture_hooks.pop(wearer, None)
        else:
            self._gesture_hooks[wearer] = hook

    def play(self, wearer: str, pattern: HapticPattern) -> None:
        """Plays ``pattern`` on a local wearer's wrist; changes no level, needs no ack."""
        self._wearers[wearer].player.alert(pattern)

    def publish_rehearsal(self, wearer: str, signal: ComfortSignal) -> SignalMessage:
        """Publishes a rehearsed ``signal`` on its own topic: it never reaches a level."""
        message = SignalMessage(
            id=new_signal_id(), seq=0, signal=signal, source=SignalSource.REHEARSAL, at=utc_now()
        )
        self._relay.publish_rehearsal(wearer, message)
        return message

    # -- the wearer's own side ------------------------------------------------------------

    def _emit(
        self, local: _Wearer, signal: ComfortSignal, source: SignalSource, input_at: float
    ) -> SignalMessage:
        message = SignalMessage(
            id=new_signal_id(), seq=local.next_seq, signal=signal, source=source, at=utc_now()
        )
        local.next_seq += 1
        self._signals[message.id] = _Sent(local.name, message, input_at)
        self._seen.first_time(f"signal:{message.id}")
        level = local.effective_level
        if self._store is not None:
            # Before the signal leaves: a hub killed right after comes back holding it.
            self._store.save(
                self.pair_id,
                local.name,
                local.classifier.held,
                message.id,
                message.at,
                local.next_seq,
            )
        self._relay.publish_signal(local.name, message)
        self._relay.publish_state(
            local.name,
            StateMessage(
                signal=level if level is not None else "clear", id=message.id, since=message.at
            ),
        )
        self._observe(SignalSent(local.name, message, input_at))
        partner = self._wearers.get(local.partner)
        if partner is not None:
            self._alert(partner, local.name, message)
        return message

    def _hold_link(self, local: _Wearer, reason: str) -> None:
        if local.link_hold is not None:
            return
        local.link_hold = reason
        level = local.effective_level
        assert level is not None  # a link hold is at least a pause
        self._emit(local, level, SignalSource.LINK, self._clock())

    def _release_link(self, local: _Wearer) -> None:
        if local.link_hold is None:
            return
        local.link_hold = None
        held = local.classifier.held
        self._emit(local, held or ComfortSignal.RESUME, SignalSource.LINK, self._clock())

    def _acknowledge(self, local: _Wearer) -> AckMessage | None:
        pending, local.pending = local.pending, None
        if pending is None:
            return None  # nothing to acknowledge: a stray press
        message = AckMessage(id=pending.message.id, by=local.name, at=utc_now())
        local.sent_acks.add(message.id)
        self._seen.first_time(f"ack:{message.id}:{local.name}")
        self._relay.publish_ack(local.name, message)
        self._observe(AckSent(local.name, message))
        self._confirm(local.name, message)
        return message

    # -- the partner's side ---------------------------------------------------------------

    def _alert(self, local: _Wearer, sender: str, message: SignalMessage) -> None:
        now = self._clock()
        if message.signal is ComfortSignal.RESUME:
            if local.pending is not None and local.pending.sender == sender:
                local.pending = None
        elif message.signal.is_level or message.signal is ComfortSignal.CHECK_IN:
            local.pending = _Pending(sender, message, now)
        origin = self._signals.get(message.id)
        latency = (now - origin.input_at) * 1000 if origin is not None else None
        self._play(local, message)
        self._observe(PartnerAlerted(local.name, sender, message, now, latency))

    def _replay_pending(self, local: _Wearer, pending: _Pending) -> None:
        pending.realerts += 1
        pending.last_alert_at = self._clock()
        self._play(local, pending.message)
        self._observe(
            Realerted(
                local.name, pending.sender, pending.message, pending.realerts, pending.last_alert_at
            )
        )

    def _play(self, local: _Wearer, message: SignalMessage) -> None:
        task = local.player.alert(pattern_for(message.signal))
        wearer = local.name

        def report(done: asyncio.Task[bool]) -> None:
            # A cancelled alert was replaced by a newer one: that is not a failure.
            if not done.cancelled() and not played(done):
                self._observe(AlertUndelivered(wearer, message))

        task.add_done_callback(report)

    def _confirm(self, acker: str, message: AckMessage) -> None:
        sent = self._signals.get(message.id)
        if sent is None or sent.confirmed:
            return  # not a signal of this hub's wearers, or already confirmed
        signaller = self._wearers[sent.wearer]
        if acker != signaller.partner or message.by != acker:
            self._refuse(
                acker,
                f"ack of {sent.wearer}'s signal {message.id} on {acker}'s topic "
                f"(by {message.by!r}): only {signaller.partner} can acknowledge it",
            )
            return
        sent.confirmed = True
        task = signaller.player.confirm(CONFIRMATION)

        def report(done: asyncio.Task[bool]) -> None:
            self._observe(Confirmed(signaller.name, message.id, acker, self._clock(), played(done)))

        task.add_done_callback(report)

    def _refuse(self, wearer: str, reason: str) -> None:
        log.warning("refused: %s", reason)
        self._observe(Refused(wearer, reason))

    def _partner_unreachable(self, reason: str, back: bool) -> None:
        """Local wearers whose partner is on another hub: pause while it cannot be heard."""
        for local in self._wearers.values():
            if local.partner in self._wearers:
                continue  # both on this hub: alerts do not need the broker
            if not back and local.partner_unreachable is None:
                local.partner_unreachable = reason
                notice = SignalMessage(
                    id=new_signal_id(),
                    seq=0,
                    signal=ComfortSignal.PAUSE,
                    source=SignalSource.LINK,
                    at=utc_now(),
                )
                self._observe(PartnerUnreachable(local.name, local.partner, reason, back=False))
                self._alert(local, local.partner, notice)
            elif back and local.partner_unreachable is not None:
                local.partner_unreachable = None
                if local.pending is not None and local.pending.message.source == "link":
                    local.pending = None
                self._observe(PartnerUnreachable(local.name, local.partner, reason, back=True))
                local.player.alert(LINK_RESTORED)

    # -- from the broker ------------------------------------------------------------------

    def on_signal(self, wearer: str, message: SignalMessage) -> None:
        if not self._seen.first_time(f"signal:{message.id}"):
            if message.id not in self._signals:
                self._observe(DuplicateDropped(wearer, message.id))
            return  # our own signals come back from the broker: already delivered
        if message.source is SignalSource.REHEARSAL:
            self._refuse(wearer, f"rehearsal {message.id} on {wearer}'s signal topic: not real")
            return
        if wearer in self._wearers:
            self._refuse(
                wearer,
                f"{message.signal} {message.id} on {wearer}'s topic was not sent by "
                f"{wearer}'s side: only {wearer} can signal (or resume) for {wearer}",
            )
            return
        if message.signal.is_level:
            self._remote_levels[wearer] = message.signal
        elif message.signal is ComfortSignal.RESUME:
            self._remote_levels[wearer] = None
        for local in self._wearers.values():
            if local.partner == wearer:
                self._alert(local, wearer, message)

    def on_ack(self, wearer: str, message: AckMessage) -> None:
        if not self._seen.first_time(f"ack:{message.id}:{wearer}"):
            return
        if wearer in self._wearers:
            self._refuse(wearer, f"ack {message.id} on {wearer}'s topic was not sent by this hub")
            return
        self._confirm(wearer, message)

    def on_state(self, wearer: str, message: StateMessage) -> None:
        """A retained state names the signal that set it: one never seen was missed."""
        if wearer in self._wearers:
            return
        self._remote_levels[wearer] = None if message.signal == "clear" else message.signal
        if message.signal == "clear" or message.id is None:
            return
        if not self._seen.first_time(f"signal:{message.id}"):
            return
        missed = SignalMessage(
            id=message.id, seq=0, signal=message.signal, source=SignalSource.LINK, at=message.since
        )
        for local in self._wearers.values():
            if local.partner == wearer:
                self._alert(local, wearer, missed)

    def on_broker(self, connected: bool) -> None:
        self._observe(BrokerChanged(connected, self._clock()))
        self._partner_unreachable("this hub lost the MQTT broker", back=connected)

    def on_hub_status(self, online: bool) -> None:
        self._partner_unreachable("the partner's hub went offline", back=online)
