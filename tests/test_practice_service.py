"""hub.practice on a fake session and a fake clock: who may rehearse, what a finished rehearsal
does to tap calibration, and which wrists a check-in asks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from firmware_bridge import AccelBatch, Capability
from hub import (
    HubEvent,
    PracticeCheckIn,
    RehearsalChanged,
    SignalMessage,
    new_signal_id,
    utc_now,
)
from hub._tap_calibrations import TapCalibrations
from hub.practice import CHECK_IN_PULSE, NotYours, Practice, PracticeError, PracticeRecords
from signals import (
    SAFE_BOUNDS,
    ComfortSignal,
    HapticPattern,
    InputEvent,
    InputKind,
    SignalSource,
    TapDetectorSettings,
    lay_tap,
)


class FakeSession:
    """The session hooks, recording what practice asked for."""

    def __init__(self, local: list[str]) -> None:
        self.local_wearers = local
        self.hooks: dict[str, Callable[[InputEvent], Sequence[InputEvent]]] = {}
        self.played: list[tuple[str, str]] = []
        self.rehearsed: list[tuple[str, ComfortSignal]] = []
        self.accel_hooks: dict[str, Callable[[AccelBatch], None]] = {}
        self.recalibrated: list[str] = []
        # The partner's signal each wearer was alerted to and has not acknowledged.
        self.waiting: dict[str, SignalMessage] = {}

    def partner_of(self, wearer: str) -> str:
        return "sam" if wearer == "alex" else "alex"

    def divert_gestures(
        self, wearer: str, hook: Callable[[InputEvent], Sequence[InputEvent]] | None
    ) -> None:
        assert hook is not None
        self.hooks[wearer] = hook

    def watch_acceleration(self, wearer: str, hook: Callable[[AccelBatch], None]) -> None:
        self.accel_hooks[wearer] = hook

    def recalibrate(self, wearer: str) -> None:
        self.recalibrated.append(wearer)

    def play(self, wearer: str, pattern: HapticPattern) -> None:
        self.played.append((wearer, pattern.name))

    def awaiting(self, wearer: str) -> SignalMessage | None:
        return self.waiting.get(wearer)

    def publish_rehearsal(self, wearer: str, signal: ComfortSignal) -> SignalMessage:
        self.rehearsed.append((wearer, signal))
        return SignalMessage(
            id=new_signal_id(), seq=0, signal=signal, source=SignalSource.REHEARSAL, at=utc_now()
        )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def practice(
    local: list[str],
    calibrations: TapCalibrations | None = None,
    capabilities: frozenset[Capability] = frozenset({Capability.TAPS}),
) -> tuple[Practice, FakeSession, Clock, list[HubEvent]]:
    session, clock = FakeSession(local), Clock()
    events: list[HubEvent] = []
    made = Practice(
        session,
        events.append,
        {name: capabilities for name in local},
        records=PracticeRecords(("alex", "sam")),
        clock=clock,
        calibrations=calibrations,
    )
    return made, session, clock, events


def test_a_watch_that_finds_its_own_taps_is_not_calibrated_and_is_let_go(
    tmp_path: Path,
) -> None:
    store = TapCalibrations(tmp_path / "tap-calibrations.json")
    hub, session, clock, _ = practice(["alex", "sam"], store)
    hub.start_rehearsal("alex")
    for count in (2, 3, 4):
        start = clock.now
        for index in range(count):
            assert session.hooks["alex"](InputEvent(InputKind.TAP, start + 0.2 * index)) == ()
        clock.now = start + 0.2 * count + 2.0
        hub.tick()  # judged: sam feels it
        assert session.played[-1][0] == "sam"
        hub.partner_felt("sam")
    assert session.rehearsed == [
        ("alex", ComfortSignal.SLOW_DOWN),
        ("alex", ComfortSignal.PAUSE),
        ("alex", ComfortSignal.STOP),
    ]
    calibration = hub.overview("alex")["tap_calibration"]
    assert calibration["calibrated"] is False
    assert "finds taps by itself" in calibration["summary"]
    assert store.devices_of("alex") == [] and session.recalibrated == []
    # The drill is over: alex's taps are signals again.
    tap = InputEvent(InputKind.TAP, clock.now)
    assert session.hooks["alex"](tap) == (tap,)


def _soft_rehearsal(hub: Practice, session: FakeSession, clock: Clock) -> None:
    """alex taps each step softly on a 100 Hz strap; the defaults find none of it."""
    rate = 100.0
    rng = np.random.default_rng(3)
    hub.start_rehearsal("alex")
    for count in (2, 3, 4):
        samples = np.tile([0.02, -0.98, 0.1], (round(rate * 3), 1))
        samples += rng.normal(0.0, 0.004, samples.shape)
        for index in range(count):
            lay_tap(samples, rate, 0.8 + 0.3 * index, width_s=0.015, peak_g=0.5)
        for first in range(0, len(samples), 36):
            chunk = samples[first : first + 36]
            times = clock.now + (first + np.arange(len(chunk))) / rate
            session.accel_hooks["alex"](AccelBatch(times, chunk, rate, device="Polar H10"))
        clock.now += 3.0
        hub.tick()  # nothing seen: judged "too soft" once the step times out


def test_a_soft_tappers_rehearsal_is_kept_for_their_device_and_applied_at_once(
    tmp_path: Path,
) -> None:
    store = TapCalibrations(tmp_path / "tap-calibrations.json")
    hub, session, clock, _ = practice(["alex", "sam"], store, frozenset({Capability.RAW_ACCEL}))
    hub.rehearsal.step_timeout_s = 3.0
    _soft_rehearsal(hub, session, clock)
    drill = hub.rehearsal.drill
    assert drill is not None and [r.verdict.hint for r in drill.results] == ["too_soft"] * 3
    kept = store.settings_for("alex", "Polar H10")
    assert kept is not None and kept.min_area_gms < TapDetectorSettings().min_area_gms
    assert session.recalibrated == ["alex"]
    calibration = hub.overview("alex")["tap_calibration"]
    assert calibration["calibrated"] is True and calibration["taps"] == 9
    [strength] = [c for c in calibration["changes"] if c["setting"] == "min_area_gms"]
    assert strength["bounds"] == list(SAFE_BOUNDS.min_area_gms)
    assert strength["bounds"][0] <= strength["after"] < strength["before"]
    assert hub.overview("sam")["tap_calibration"] is None  # each sees only their own

    hub.reset_calibration("alex")
    assert store.settings_for("alex", "Polar H10") is None
    assert session.recalibrated == ["alex", "alex"]
    assert (
        "default tap thresholds apply again" in hub.overview("alex")["tap_calibration"]["summary"]
    )


def test_too_few_taps_change_nothing_and_say_why(tmp_path: Path) -> None:
    store = TapCalibrations(tmp_path / "tap-calibrations.json")
    hub, session, clock, _ = practice(["alex", "sam"], store, frozenset({Capability.RAW_ACCEL}))
    hub.rehearsal.step_timeout_s = 3.0
    hub.start_rehearsal("alex")
    still = np.tile([0.02, -0.98, 0.1], (300, 1))
    session.accel_hooks["alex"](
        AccelBatch(clock.now + np.arange(300) / 100.0, still, 100.0, device="Polar H10")
    )
    clock.now += 3.0
    hub.tick()
    hub.end_rehearsal("alex")  # after one step: its taps (none) are all there is
    calibration = hub.overview("alex")["tap_calibration"]
    assert calibration["calibrated"] is False
    assert calibration["summary"].startswith("not calibrated: only 0 taps could be measured")
    assert store.devices_of("alex") == [] and session.recalibrated == []


def test_a_step_ends_even_when_the_wearer_never_stops_tapping() -> None:
    hub, session, clock, _ = practice(["alex", "sam"])
    drill = hub.start_rehearsal("alex")
    while clock.now < 25:
        # Never still for long, yet never a pattern (taps too far apart to join up).
        assert session.hooks["alex"](InputEvent(InputKind.TAP, clock.now)) == ()
        clock.now += 0.9
        hub.tick()
    assert drill.results and drill.results[0].verdict.recognised is False


def test_only_a_wearer_on_this_hub_can_rehearse_and_check_ins_ask_only_local_wrists() -> None:
    hub, session, clock, events = practice(["alex"])
    with pytest.raises(PracticeError, match="sam's wearable is on another hub"):
        hub.start_rehearsal("sam")
    hub.set_check_ins(None, answer_within_s=5)
    hub.check_in_now()
    assert session.played == [("alex", CHECK_IN_PULSE.name)]
    clock.now = 6
    hub.tick()
    assert [(e.wearer, e.answer) for e in events if isinstance(e, PracticeCheckIn)] == [
        (None, None),
        ("alex", "no_answer"),
    ]


def partners(signal: ComfortSignal, source: SignalSource = SignalSource.BUTTON) -> SignalMessage:
    return SignalMessage(id=new_signal_id(), seq=1, signal=signal, source=source, at=utc_now())


def test_a_press_while_a_partners_signal_waits_is_handed_on_and_ends_the_rehearsal() -> None:
    # No tick between the alert and the press: the press itself must see what waits.
    hub, session, clock, events = practice(["alex", "sam"])
    drill = hub.start_rehearsal("sam")
    assert session.hooks["sam"](InputEvent(InputKind.TAP, clock.now)) == ()  # practice
    session.waiting["sam"] = partners(ComfortSignal.STOP)
    press = InputEvent(InputKind.BUTTON, clock.now + 0.5)
    assert session.hooks["sam"](press) == (press,)  # an "I noticed", never practice
    assert drill.phase == "finished" and drill.results == []
    assert drill.view()["ended_by_partner"] == {"partner": "alex", "signal": "stop", "link": False}
    assert events[-1] == RehearsalChanged("sam", running=False, partner_signal=ComfortSignal.STOP)


@pytest.mark.parametrize(
    ("signal", "source"),
    [
        (ComfortSignal.SLOW_DOWN, SignalSource.TAP),
        (ComfortSignal.PAUSE, SignalSource.TAP),
        (ComfortSignal.STOP, SignalSource.BUTTON),
        (ComfortSignal.PAUSE, SignalSource.LINK),
        (ComfortSignal.CHECK_IN, SignalSource.HEART),
    ],
)
def test_any_partners_signal_waiting_ends_the_rehearsal_on_the_next_tick(
    signal: ComfortSignal, source: SignalSource
) -> None:
    hub, session, _, _ = practice(["alex", "sam"])
    drill = hub.start_rehearsal("sam")
    session.waiting["sam"] = partners(signal, source)
    hub.tick()
    assert drill.phase == "finished" and not drill.ended_for_real
    assert drill.view()["ended_by_partner"]["link"] is (source is SignalSource.LINK)
    assert hub.overview("sam")["tap_calibration"] is None  # cut short: nothing fitted


def test_a_rehearsal_does_not_start_while_a_partners_signal_waits() -> None:
    hub, session, _, _ = practice(["alex", "sam"])
    session.waiting["sam"] = partners(ComfortSignal.PAUSE)
    with pytest.raises(PracticeError, match='alex\'s pause is waiting for your "I noticed"'):
        hub.start_rehearsal("sam")
    hub.start_rehearsal("alex")  # alex has nothing waiting


def test_only_the_rehearsing_wearer_ends_it_and_only_the_partner_says_they_felt_it() -> None:
    hub, session, _, _ = practice(["alex", "sam"])
    drill = hub.start_rehearsal("alex")
    with pytest.raises(NotYours, match="only alex can end it"):
        hub.end_rehearsal("sam")
    with pytest.raises(NotYours, match="only sam can say they felt"):
        hub.partner_felt("alex")
    assert drill.phase == "performing"
    assert session.hooks["alex"](InputEvent(InputKind.TAP, 0.0)) == ()  # still practice
    hub.end_rehearsal("alex")
    assert drill.phase == "finished"
