"""The pair's rules when a wearer's side cannot be relied on for a while (the wearable's link
lost or silent, the sensor off the skin): the partner is told when the level they must respect
changes, and only then. A stop held through a link blip is the same stop: no new id, no new
buzz, and an "I noticed" given for it still stands."""

from __future__ import annotations

import itertools

from firmware_bridge import LinkState
from hub import AckMessage, PartnerAlerted, SignalMessage
from hub.rules import (
    AckAsked,
    Confirm,
    ContactChanged,
    DeviceLink,
    Effect,
    Gesture,
    HeardAck,
    PairRules,
    Publish,
    Save,
    SavedLevel,
    SessionSettings,
    Tick,
)
from signals import ComfortSignal, InputEvent, InputKind
from tests.test_rules import AT, buzzes, recorded

SETTINGS = SessionSettings(realert_interval_s=5.0)
LOST, RESTORED, STALE = LinkState.LOST, LinkState.RESTORED, LinkState.STALE


def hub_of(*wearers: str) -> PairRules:
    ids = (f"id-{n}" for n in itertools.count())
    return PairRules(
        ("alex", "sam"),
        list(wearers),
        hub_id="-".join(wearers),
        settings=SETTINGS,
        new_id=ids.__next__,
    )


def signals_sent(effects: list[Effect]) -> list[tuple[str, str]]:
    return [
        (e.message.signal, e.message.id)
        for e in effects
        if isinstance(e, Publish) and isinstance(e.message, SignalMessage)
    ]


def alex_holds(rules: PairRules, level: ComfortSignal, at: float = 0.0) -> str:
    """alex signals ``level`` by taps (or a held press for a stop); returns its id."""
    if level is ComfortSignal.STOP:
        gestures = [InputEvent(InputKind.BUTTON, at, held_s=1.5)]
    else:
        taps = {ComfortSignal.SLOW_DOWN: 2, ComfortSignal.PAUSE: 3}[level]
        gestures = [InputEvent(InputKind.TAP, at + n * 0.2) for n in range(taps)]
    sent: list[tuple[str, str]] = []
    for gesture in gestures:
        sent += signals_sent(rules.feed(Gesture("alex", gesture, gesture.at)))
    assert sent[-1][0] == level
    return sent[-1][1]


def test_a_stop_held_through_a_link_blip_is_not_sent_again() -> None:
    rules = hub_of("alex")
    stop = alex_holds(rules, ComfortSignal.STOP)
    rules.feed(HeardAck("sam", AckMessage(id=stop, by="sam", at=AT), 1.0))
    for at, link in ((2.0, LOST), (5.0, RESTORED), (6.0, STALE), (7.0, RESTORED)):
        effects = rules.feed(DeviceLink("alex", link, at))
        assert signals_sent(effects) == [], f"{link}: the stop said again with a new id"
        assert not [e for e in effects if isinstance(e, Save)], "nothing new to keep"
    state = rules.local["alex"].state
    assert state is not None and (state.signal, state.id) == ("stop", stop)


def test_a_link_pause_over_nothing_held_is_sent_and_lifted_once() -> None:
    rules = hub_of("alex")
    lost = signals_sent(rules.feed(DeviceLink("alex", LOST, 1.0)))
    assert [signal for signal, _ in lost] == ["pause"]
    # The sensor leaving the skin as well, then the link back while it is still off: the
    # partner must still pause, and has been told so.
    assert signals_sent(rules.feed(ContactChanged("alex", False, 2.0))) == []
    assert signals_sent(rules.feed(DeviceLink("alex", RESTORED, 3.0))) == []
    back = signals_sent(rules.feed(ContactChanged("alex", True, 4.0)))
    assert [signal for signal, _ in back] == ["resume"]


def test_a_hold_raises_a_slow_down_to_a_pause_and_gives_it_back() -> None:
    rules = hub_of("alex")
    alex_holds(rules, ComfortSignal.SLOW_DOWN)
    assert [s for s, _ in signals_sent(rules.feed(DeviceLink("alex", LOST, 1.0)))] == ["pause"]
    assert [s for s, _ in signals_sent(rules.feed(DeviceLink("alex", RESTORED, 2.0)))] == [
        "slow_down"
    ]


def test_a_pause_held_through_a_lost_contact_is_not_sent_again() -> None:
    rules = hub_of("alex")
    alex_holds(rules, ComfortSignal.PAUSE)
    assert signals_sent(rules.feed(ContactChanged("alex", False, 1.0))) == []
    assert signals_sent(rules.feed(ContactChanged("alex", True, 2.0))) == []


def test_a_stop_restored_after_a_restart_is_not_sent_again_by_a_link_blip() -> None:
    rules = hub_of("alex")
    said = rules.restore({"alex": SavedLevel(ComfortSignal.STOP, "s0", AT, 1)}, 0.0)
    ((_, restated),) = signals_sent(said)
    assert signals_sent(rules.feed(DeviceLink("alex", LOST, 1.0))) == []
    assert signals_sent(rules.feed(DeviceLink("alex", RESTORED, 2.0))) == []
    state = rules.local["alex"].state
    assert state is not None and state.id == restated


def test_on_one_hub_an_acknowledged_stop_stays_acknowledged_through_a_blip() -> None:
    rules = hub_of("alex", "sam")
    alex_holds(rules, ComfortSignal.STOP)
    rules.feed(AckAsked("sam", 1.0))
    effects = [*rules.feed(DeviceLink("alex", LOST, 2.0))]
    effects += rules.feed(DeviceLink("alex", RESTORED, 3.0))
    effects += rules.feed(Tick(20.0))
    assert buzzes([e for e in effects if getattr(e, "wearer", "") == "sam"]) == []
    assert not recorded(effects, PartnerAlerted)
    assert rules.local["sam"].pending is None, "the ack stands"


def test_a_stop_not_yet_acknowledged_keeps_waiting_through_a_blip_until_it_is() -> None:
    rules = hub_of("alex", "sam")
    stop = alex_holds(rules, ComfortSignal.STOP)
    rules.feed(DeviceLink("alex", LOST, 1.0))
    pending = rules.local["sam"].pending
    assert pending is not None and pending.message.id == stop
    assert buzzes(rules.feed(Tick(5.5))) == ["stop"], "re-alerted while alex is gone"
    rules.feed(DeviceLink("alex", RESTORED, 6.0))
    assert buzzes(rules.feed(Tick(11.0))) == ["stop"], "and after alex is back"
    acked = rules.feed(AckAsked("sam", 12.0))
    assert [e.signal_id for e in acked if isinstance(e, Confirm)] == [stop]
    assert buzzes(rules.feed(Tick(30.0))) == []


def test_a_slow_down_tapped_while_the_wearable_was_held_is_said_when_the_hold_ends() -> None:
    """The state said pause while the hold lasted, and a partner may have learnt alex's level
    from it rather than from the slow down's own signal: the hold's end says slow down."""
    rules = hub_of("alex")
    rules.feed(ContactChanged("alex", False, 1.0))
    alex_holds(rules, ComfortSignal.SLOW_DOWN, at=2.0)
    state = rules.local["alex"].state
    assert state is not None and state.signal == "pause"
    back = signals_sent(rules.feed(ContactChanged("alex", True, 3.0)))
    assert [signal for signal, _ in back] == ["slow_down"]
