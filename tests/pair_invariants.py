"""The safety invariants of issue 9, checked on the two hubs of ``tests/pair_world.py``
after every step of the state machine in ``tests/test_rules_properties.py``."""

from __future__ import annotations

from hypothesis.stateful import invariant

from hub import AckSent, PartnerAlerted
from hub.rules import SILENT_AFTER_S, UNHEARD_AFTER_S
from signals import ComfortSignal, SignalSource
from tests.pair_world import PAIR, SETTINGS, SimHub, World

PARTNER = {"alex": "sam", "sam": "alex"}
# Invariant 6: silent for SILENT_AFTER_S, noticed at the next tick (steps of 0.5 s).
GONE_NOTICED_WITHIN_S = SILENT_AFTER_S + 1.0
# Invariant 8: a partner hub never heard, noticed at the first tick after the grace.
UNHEARD_NOTICED_WITHIN_S = UNHEARD_AFTER_S + 1.0


def severity(level: ComfortSignal | str | None) -> int:
    return ComfortSignal(level).severity if level not in (None, "clear") else 0


class PairInvariants:
    world: World
    levels: dict[str, ComfortSignal | None]
    beliefs: dict[str, ComfortSignal | None]
    resumed: set[str]
    told: set[str]
    expected_pending: dict[str, str | None]
    seen_records: dict[str, int]
    alerts: dict[tuple[int, str, str], int]
    gone_since: dict[str, float]
    connected_since: dict[str, float]
    heard_alive_at: dict[str, float]
    acked_at: dict[str, float]
    last_acks: dict[str, str]
    emptied_at: float
    # Invariant 9: the level each wearer last acknowledged of their partner's (while nothing
    # since told them of another), and each wearer's records looked at so far.
    acked_levels: dict[str, ComfortSignal | None]
    alerted_levels: dict[str, dict[str, ComfortSignal]]
    ack_cursor: dict[str, int]

    # -- helpers ----------------------------------------------------------------------------

    def _hub(self, wearer: str) -> SimHub:
        return self.world.hubs[wearer]

    def _held(self, wearer: str) -> ComfortSignal | None:
        rules = self._hub(wearer).rules
        if rules is None:
            return self.world.level_held(wearer)
        return rules.local[wearer].classifier.held

    def _belief(self, wearer: str) -> ComfortSignal | None:
        rules = self._hub(PARTNER[wearer]).rules
        return rules.remote[wearer].level if rules is not None else None

    def check_agreement(self) -> None:
        """Invariant 5, once every fault has ended and the links are back."""
        world = self.world
        for wearer in PAIR:
            rules = self._hub(wearer).rules
            assert rules is not None
            local = rules.local[wearer]
            assert self._belief(wearer) == local.effective_level, f"sides disagree on {wearer}"
            assert not local.unreachable, f"{wearer} still told the partner is unreachable"
            pending = local.pending
            if pending is not None and severity(pending.message.signal) >= 2:
                partner = self._hub(PARTNER[wearer]).rules
                assert partner is not None
                level = partner.local[PARTNER[wearer]].effective_level
                assert severity(level) >= 2, f"{wearer} still alerted to a lifted {pending}"
            signaller = self._hub(PARTNER[wearer]).rules
            assert signaller is not None
            own = signaller.local[PARTNER[wearer]].sent
            for record in self._hub(wearer).records:
                if not isinstance(record, AckSent) or record.message.id not in own:
                    continue
                # Only the last ack is said again: an earlier one on its way when the broker
                # lost everything is lost (the partner still stopped being alerted).
                if self.acked_at.get(record.message.id, 0.0) > self.emptied_at:
                    assert record.message.id in world.wrists[PARTNER[wearer]].confirmed, (
                        f"{wearer}'s ack of {record.message.id} was never confirmed"
                    )
            # The last ack is kept on disk before it is sent and said again at every
            # (re)connect, so even one that a crash kept from leaving is confirmed.
            last = self.last_acks.get(wearer)
            if last is not None and last in own:
                assert last in world.wrists[PARTNER[wearer]].confirmed, (
                    f"{wearer}'s last ack, of {last}, was never confirmed"
                )

    # -- the invariants -------------------------------------------------------------------

    @invariant()
    def levels_fall_only_by_their_wearers_resume(self) -> None:
        for wearer in PAIR:
            held = self._held(wearer)
            if severity(held) < severity(self.levels[wearer]):
                assert wearer in self.resumed, f"{wearer}'s {self.levels[wearer]} lifted"
            self.levels[wearer] = held
            belief = self._belief(wearer)
            if severity(belief) < severity(self.beliefs[wearer]):
                assert wearer in self.told, f"{wearer}'s {self.beliefs[wearer]} lifted by a fault"
            self.beliefs[wearer] = belief
        self.resumed.clear()
        self.told.clear()

    @invariant()
    def a_waiting_pause_or_stop_stays_and_is_alerted_again(self) -> None:
        interval = SETTINGS.realert_interval_s
        for wearer in PAIR:
            hub = self._hub(wearer)
            if hub.rules is None:
                continue
            for record in hub.records[self.seen_records[wearer] :]:
                if isinstance(record, PartnerAlerted):
                    key = (hub.incarnation, wearer, record.message.id)
                    self.alerts[key] = self.alerts.get(key, 0) + 1
                    assert self.alerts[key] == 1, f"{record.message} alerted {wearer} twice"
                    if record.message.signal is ComfortSignal.RESUME:
                        self.expected_pending[wearer] = None
                    elif record.message.id == self.last_acks.get(wearer):
                        # The signal of the last ack, told again (the ack was restored with
                        # a restart): shown, never waited for again.
                        pending = hub.rules.local[wearer].pending
                        assert pending is None or pending.message.id != record.message.id, (
                            f"{wearer} waits again for {record.message.id}, acknowledged"
                        )
                    elif record.message.signal.is_level:
                        is_pause_or_stop = severity(record.message.signal) >= 2
                        self.expected_pending[wearer] = (
                            record.message.id if is_pause_or_stop else None
                        )
                elif isinstance(record, AckSent):
                    self.expected_pending[wearer] = None
                    self.acked_at.setdefault(record.message.id, self.world.now)
                    self.last_acks[wearer] = record.message.id
            self.seen_records[wearer] = len(hub.records)
            pending = hub.rules.local[wearer].pending
            if self.expected_pending[wearer] is not None:
                assert pending is not None and severity(pending.message.signal) >= 2, (
                    f"{wearer}'s waiting pause or stop went away unacknowledged"
                )
            if pending is not None and severity(pending.message.signal) >= 2 and hub.running:
                felt = [
                    t for t, _, i in self.world.wrists[wearer].buzzes if i == pending.message.id
                ]
                assert felt and self.world.now - max(felt) <= interval + 0.5, (
                    f"{wearer} not re-alerted to {pending.message.signal}"
                )

    @invariant()
    def confirmed_at_most_once(self) -> None:
        for wrist in self.world.wrists.values():
            assert len(set(wrist.confirmed)) == len(wrist.confirmed)

    @invariant()
    def a_gone_partner_hub_is_noticed(self) -> None:
        now = self.world.now
        for wearer, since in self.gone_since.items():
            partner = self._hub(PARTNER[wearer])
            rules = partner.rules
            if rules is None or not partner.running or not partner.connected:
                continue
            if not rules.hubs.serving(wearer):
                continue
            # Counted from the crash, or from the last sign of life the partner's hub heard if
            # that came later: no hub can tell a late "online" from a live one.
            last_sign = max(
                since,
                self.connected_since[PARTNER[wearer]],
                self.heard_alive_at.get(PARTNER[wearer], since),
            )
            if now - last_sign >= GONE_NOTICED_WITHIN_S:
                assert rules.local[PARTNER[wearer]].unreachable, f"{wearer}'s hub gone unnoticed"

    @invariant()
    def a_partner_hub_never_heard_is_noticed(self) -> None:
        """Invariant 8: a local wearer whose partner's hub was not heard within the grace after
        their hub connected is told the partner is unreachable (never left "all clear")."""
        for wearer in PAIR:
            hub = self._hub(wearer)
            rules = hub.rules
            if rules is None or not hub.running or not hub.connected:
                continue
            if rules.hubs.serving(PARTNER[wearer]):
                continue
            if self.world.now - self.connected_since[wearer] >= UNHEARD_NOTICED_WITHIN_S:
                assert rules.local[wearer].unreachable, (
                    f"{wearer} not told that {PARTNER[wearer]}'s hub was never heard"
                )

    @invariant()
    def an_acknowledged_level_is_not_alerted_again_by_a_fault(self) -> None:
        """Invariant 9: once a wearer acknowledged their partner's level, a fault on the
        partner's side that leaves that level (a link or contact hold over a stop, say) never
        alerts it again under a new id: only a gesture, a change of level, or a hub saying
        its levels again as it (re)starts may."""
        for wearer in PAIR:
            hub = self._hub(wearer)
            records = hub.records[self.ack_cursor[wearer] :]
            self.ack_cursor[wearer] = len(hub.records)
            alerted = self.alerted_levels.setdefault(wearer, {})
            for record in records:
                if isinstance(record, AckSent):
                    self.acked_levels[wearer] = alerted.get(record.message.id)
                    continue
                if not isinstance(record, PartnerAlerted):
                    continue
                message = record.message
                acked = self.acked_levels.get(wearer)
                if message.signal is not acked:
                    self.acked_levels[wearer] = None  # told of another level since
                    alerted[message.id] = message.signal
                    continue
                alerted[message.id] = message.signal
                if message.source is not SignalSource.LINK or message.id in self.world.restated:
                    continue
                assert message.id == self.last_acks.get(wearer), (
                    f"{wearer} alerted again to {PARTNER[wearer]}'s {message.signal}, "
                    f"acknowledged, under a new id {message.id} though the level never changed"
                )
