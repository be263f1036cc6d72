"""The pair's rules on their own: inputs with a time in, effects out, no broker, no clock."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from hub import (
    AckMessage,
    AckSent,
    DuplicateDropped,
    HubStatusMessage,
    PartnerAlerted,
    PartnerUnreachable,
    Refused,
    SignalMessage,
    StateMessage,
)
from hub.rules import (
    SILENT_AFTER_S,
    UNHEARD_AFTER_S,
    AckAsked,
    BrokerChanged,
    Buzz,
    Confirm,
    Effect,
    Gesture,
    HeardAck,
    HeardHub,
    HeardSignal,
    HeardState,
    PairRules,
    Publish,
    Record,
    Save,
    SavedLevel,
    SessionSettings,
    Tick,
    Unreachable,
)
from signals import ComfortSignal, InputEvent, InputKind, SignalSource

AT = datetime(2026, 1, 1, tzinfo=UTC)


def sams_hub() -> PairRules:
    ids = (f"id-{n}" for n in itertools.count())
    return PairRules(
        ("alex", "sam"),
        ["sam"],
        hub_id="sam",
        settings=SessionSettings(realert_interval_s=5.0),
        new_id=ids.__next__,
    )


def signal(message_id: str, seq: int, level: ComfortSignal) -> SignalMessage:
    return SignalMessage(id=message_id, seq=seq, signal=level, source=SignalSource.TAP, at=AT)


def buzzes(effects: list[Effect]) -> list[str]:
    return [e.pattern.name for e in effects if isinstance(e, Buzz)]


def recorded(effects: list[Effect], kind: type[object]) -> list[object]:
    return [e.event for e in effects if isinstance(e, Record) and isinstance(e.event, kind)]


def test_a_link_notice_neither_replaces_nor_clears_a_waiting_stop() -> None:
    rules = sams_hub()
    rules.feed(HeardSignal("alex", signal("s1", 0, ComfortSignal.STOP), 0.0))
    notice = rules.feed(BrokerChanged(False, 1.0))
    assert buzzes(notice) == ["stop"], "the notice is felt as strongly as what waits"
    back = rules.feed(BrokerChanged(True, 2.0))
    assert buzzes(back) == ["link_restored"]
    pending = rules.local["sam"].pending
    assert pending is not None and pending.message.id == "s1"
    assert buzzes(rules.feed(Tick(5.0))) == ["stop"], "and it keeps being re-alerted"


def test_a_resume_learnt_from_a_retained_state_is_felt_like_the_signal() -> None:
    rules = sams_hub()
    rules.feed(HeardSignal("alex", signal("s1", 0, ComfortSignal.STOP), 0.0))
    clear = StateMessage(signal="clear", id="r2", seq=1, since=AT)
    effects = rules.feed(HeardState("alex", clear, 1.0))
    assert buzzes(effects) == ["resume"]
    assert rules.local["sam"].pending is None
    assert rules.partner_level("sam") is None
    assert rules.feed(HeardSignal("alex", signal("r2", 1, ComfortSignal.RESUME), 2.0)) == [
        Record(DuplicateDropped("alex", "r2"))
    ], "the resume itself, arriving later, is not felt twice"


def test_a_late_signal_never_undoes_a_newer_one() -> None:
    rules = sams_hub()
    rules.feed(HeardSignal("alex", signal("r2", 2, ComfortSignal.RESUME), 0.0))
    assert buzzes(rules.feed(HeardSignal("alex", signal("s1", 1, ComfortSignal.STOP), 1.0))) == []
    assert rules.partner_level("sam") is None


def test_junk_is_refused_before_it_touches_any_memory() -> None:
    rules = sams_hub()
    rules.feed(HeardSignal("alex", signal("s1", 0, ComfortSignal.STOP), 0.0))
    for number in range(5000):
        effects = rules.feed(
            HeardSignal(f"junk{number}", signal(f"j{number}", 0, ComfortSignal.STOP), 1.0)
        )
        assert recorded(effects, Refused)
    assert set(rules.remote) == {"alex"}
    replay = rules.feed(HeardSignal("alex", signal("s1", 0, ComfortSignal.STOP), 2.0))
    assert recorded(replay, DuplicateDropped) and not recorded(replay, PartnerAlerted)


def test_an_ack_naming_someone_else_is_refused_and_forgotten() -> None:
    ids = (f"id-{n}" for n in itertools.count())
    rules = PairRules(("alex", "sam"), ["alex"], hub_id="alex", new_id=ids.__next__)

    sent = rules.feed(Gesture("alex", InputEvent(InputKind.BUTTON, 0.0, held_s=1.5), 0.0))
    kinds = [type(e) for e in sent]
    assert kinds.index(Save) < kinds.index(Publish), "saved before it is published"
    forged = AckMessage(id="id-0", by="mallory", at=AT)
    assert recorded(rules.feed(HeardAck("sam", forged, 1.0)), Refused)
    real = rules.feed(HeardAck("sam", AckMessage(id="id-0", by="sam", at=AT), 2.0))
    assert real == [Confirm("alex", "id-0", "sam")]
    assert rules.feed(HeardAck("sam", AckMessage(id="id-0", by="sam", at=AT), 3.0)) == []


def test_a_partner_hub_silent_for_3_s_is_gone_and_back_with_its_heartbeat() -> None:
    rules = sams_hub()
    beat = HubStatusMessage(status="online", hub="alex", wearers=["alex"], at=AT)
    rules.feed(HeardHub("alex", beat, True, 0.0))
    assert rules.feed(Tick(SILENT_AFTER_S)) == []
    gone = rules.feed(Tick(SILENT_AFTER_S + 0.1))
    assert buzzes(gone) == ["pause"]
    (notice,) = recorded(gone, PartnerUnreachable)
    assert isinstance(notice, PartnerUnreachable) and not notice.back
    back = rules.feed(HeardHub("alex", beat, True, 5.0))
    assert buzzes(back) == ["link_restored"]


def test_a_partner_hub_never_heard_is_unreachable_after_the_grace_and_back_when_heard() -> None:
    """A partner hub not started, on another pair name, or whose messages are refused (another
    pair key) is never heard: sam must not stay "all clear"."""
    rules = sams_hub()
    rules.feed(BrokerChanged(True, 0.0))
    assert rules.feed(Tick(UNHEARD_AFTER_S)) == [], "a partner hub may still be starting"
    unheard = rules.feed(Tick(UNHEARD_AFTER_S + 0.1))
    assert buzzes(unheard) == ["pause"]
    (notice,) = recorded(unheard, PartnerUnreachable)
    assert notice == PartnerUnreachable(
        "sam", "alex", Unreachable.PARTNER_HUB_UNHEARD.value, back=False
    )
    assert rules.local["sam"].unreachable == {Unreachable.PARTNER_HUB_UNHEARD}
    beat = HubStatusMessage(status="online", hub="alex", wearers=["alex"], at=AT)
    back = rules.feed(HeardHub("alex", beat, True, 9.0))
    assert buzzes(back) == ["link_restored"]
    assert not rules.local["sam"].unreachable


def test_a_hub_that_never_reaches_the_broker_tells_its_wearer_to_pause() -> None:
    """A wrong broker address or a broker down at start: nobody is heard, nothing gets out,
    and sam must not stay "all clear" until the broker is found and alex's hub heard."""
    rules = sams_hub()
    assert rules.feed(Tick(0.0)) == []
    assert rules.feed(Tick(UNHEARD_AFTER_S)) == [], "the broker may still be answering"
    unheard = rules.feed(Tick(UNHEARD_AFTER_S + 0.1))
    assert buzzes(unheard) == ["pause"]
    assert rules.local["sam"].unreachable == {Unreachable.PARTNER_HUB_UNHEARD}
    # The broker found at last: still no word of alex's hub, so no "link back" yet.
    assert buzzes(rules.feed(BrokerChanged(True, 30.0))) == []
    assert buzzes(rules.feed(Tick(30.5))) == []
    beat = HubStatusMessage(status="online", hub="alex", wearers=["alex"], at=AT)
    assert buzzes(rules.feed(HeardHub("alex", beat, True, 31.0))) == ["link_restored"]
    assert not rules.local["sam"].unreachable


def test_an_unheard_partner_hub_stays_unheard_across_a_reconnect() -> None:
    """No "link back" for a link that never was: only hearing the partner's hub ends it."""
    rules = sams_hub()
    rules.feed(BrokerChanged(True, 0.0))
    assert buzzes(rules.feed(Tick(UNHEARD_AFTER_S + 1))) == ["pause"]
    assert buzzes(rules.feed(BrokerChanged(False, 10.0))) == []
    assert buzzes(rules.feed(BrokerChanged(True, 11.0))) == []
    assert buzzes(rules.feed(Tick(11.5))) == []
    assert rules.local["sam"].unreachable == {Unreachable.PARTNER_HUB_UNHEARD}


def test_a_partner_hub_heard_in_time_or_a_lost_broker_within_the_grace_is_no_unheard_hub() -> None:
    rules = sams_hub()
    rules.feed(BrokerChanged(True, 0.0))
    assert buzzes(rules.feed(BrokerChanged(False, 1.0))) == ["pause"], "the broker is gone"
    assert buzzes(rules.feed(BrokerChanged(True, 4.0))) == ["link_restored"]
    # A fresh grace from the reconnect: the partner's hub may have been starting meanwhile.
    assert buzzes(rules.feed(Tick(4.0 + UNHEARD_AFTER_S))) == []
    beat = HubStatusMessage(status="online", hub="alex", wearers=["alex"], at=AT)
    for second in range(9, 30):
        rules.feed(HeardHub("alex", beat, True, float(second)))
        assert buzzes(rules.feed(Tick(second + 0.5))) == []


def test_a_hub_serving_both_wearers_needs_no_other_hub() -> None:
    rules = PairRules(("alex", "sam"), ["alex", "sam"], hub_id="alex-sam")
    rules.feed(BrokerChanged(True, 0.0))
    assert buzzes(rules.feed(Tick(60.0))) == []


def test_a_hubs_own_status_never_speaks_for_its_partners() -> None:
    rules = sams_hub()
    offline = HubStatusMessage(status="offline", hub="alex", wearers=["alex"], at=AT)
    assert buzzes(rules.feed(HeardHub("alex", offline, False, 0.0))) == ["pause"]
    own = HubStatusMessage(status="online", hub="sam", wearers=["sam"], at=AT)
    assert rules.feed(HeardHub("sam", own, False, 1.0)) == []
    assert rules.local["sam"].unreachable


def test_a_partner_hub_coming_online_is_told_the_levels_held_afresh() -> None:
    """It may be starting with no memory, taking what the broker kept for history."""
    ids = (f"id-{n}" for n in itertools.count())
    rules = PairRules(("alex", "sam"), ["alex"], hub_id="alex", new_id=ids.__next__)
    rules.feed(Gesture("alex", InputEvent(InputKind.BUTTON, 0.0, held_s=1.5), 0.0))
    sams = HubStatusMessage(status="online", hub="sam", wearers=["sam"], at=AT)
    said = rules.feed(HeardHub("sam", sams, False, 1.0))
    states = [e.message for e in said if isinstance(e, Publish)]
    assert [(s.signal, s.id) for s in states if isinstance(s, StateMessage)] == [("stop", "id-0")]
    # Its heartbeats while it stays online say nothing new.
    assert not [e for e in rules.feed(HeardHub("sam", sams, True, 2.0)) if isinstance(e, Publish)]


def restarted_with_last_ack(acked_id: str) -> PairRules:
    """sam's hub just restarted, holding nothing, with sam's last ack (of ``acked_id``) restored."""
    rules = sams_hub()
    ack = AckMessage(id=acked_id, by="sam", at=AT)
    rules.restore({"sam": SavedLevel(None, None, None, 0)}, 0.0, {"sam": ack})
    return rules


def test_a_stop_acknowledged_before_a_restart_is_shown_but_not_waited_for_again() -> None:
    rules = restarted_with_last_ack("s1")
    held = StateMessage(signal=ComfortSignal.STOP, id="s1", seq=0, since=AT)
    assert buzzes(rules.feed(HeardState("alex", held, 1.0))) == ["stop"], "told once"
    assert rules.partner_level("sam") is ComfortSignal.STOP
    assert rules.local["sam"].pending is None
    assert buzzes(rules.feed(Tick(20.0))) == [], "and never re-alerted"
    assert recorded(rules.feed(AckAsked("sam", 21.0)), AckSent) == [], "nothing left to ack"


def test_a_new_stop_after_a_restored_ack_still_waits_and_is_re_alerted() -> None:
    rules = restarted_with_last_ack("s1")
    again = StateMessage(signal=ComfortSignal.STOP, id="s2", seq=1, since=AT)
    assert buzzes(rules.feed(HeardState("alex", again, 1.0))) == ["stop"]
    pending = rules.local["sam"].pending
    assert pending is not None and pending.message.id == "s2"
    assert buzzes(rules.feed(Tick(6.0))) == ["stop"]


def test_a_stop_raised_over_an_acknowledged_slow_down_alerts_and_waits() -> None:
    rules = restarted_with_last_ack("d1")
    rules.feed(
        HeardState(
            "alex", StateMessage(signal=ComfortSignal.SLOW_DOWN, id="d1", seq=0, since=AT), 1.0
        )
    )
    raised = rules.feed(HeardSignal("alex", signal("s2", 1, ComfortSignal.STOP), 2.0))
    assert buzzes(raised) == ["stop"]
    pending = rules.local["sam"].pending
    assert pending is not None and pending.message.id == "s2"
    assert buzzes(rules.feed(Tick(7.0))) == ["stop"]
