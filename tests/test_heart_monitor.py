"""Heart-rate context: RR cleaning, HRV against a reference library, the check-in advisory."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.lab._recordings import normal_beats_ms
from signals import (
    CheckInAdvisory,
    ComfortSignal,
    ContactLost,
    ContactRestored,
    HeartMonitorSettings,
    HeartRateMonitor,
    MotionMeter,
    RrCleaning,
    SignalSource,
    clean_rr,
    rr_statistics,
)

WINDOW_S = 300.0


def _nn() -> np.ndarray:
    """One hour of normal-to-normal intervals (ms) from the MIT-BIH NSR database."""
    return normal_beats_ms()


def _reference(rr_ms: np.ndarray, ends_s: np.ndarray) -> tuple[float, float]:
    """neurokit2's MeanNN and RMSSD for these intervals (gaps known from their times)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its plotting and pandas chatter, not ours
        import neurokit2 as nk

        result: Any = nk.hrv_time({"RRI": rr_ms, "RRI_Time": ends_s})
    return float(result["HRV_MeanNN"].iloc[0]), float(result["HRV_RMSSD"].iloc[0])


def _windows() -> list[tuple[np.ndarray, np.ndarray]]:
    rr = _nn()
    ends = np.cumsum(rr) / 1000.0
    edges = np.arange(0.0, ends[-1], WINDOW_S)
    return [
        (rr[(ends > a) & (ends <= a + WINDOW_S)], ends[(ends > a) & (ends <= a + WINDOW_S)])
        for a in edges
        if a + WINDOW_S <= ends[-1]
    ]


# -- the reference library ------------------------------------------------------------------


def test_cleaning_keeps_a_healthy_heart_whole() -> None:
    kept = clean_rr(_nn())
    assert kept.mean() >= 0.99


@pytest.mark.parametrize("index", range(11))
def test_five_minute_windows_agree_with_neurokit2(index: int) -> None:
    rr, ends = _windows()[index]
    kept = clean_rr(rr)
    ours = rr_statistics(rr, kept)
    assert ours is not None and ours.rmssd_ms is not None
    mean_nn, rmssd = _reference(rr[kept], ends[kept])
    assert ours.mean_nn_ms == pytest.approx(mean_nn, rel=0.01)
    assert ours.rmssd_ms == pytest.approx(rmssd, rel=0.01)


def test_the_monitor_fed_as_a_strap_agrees_with_neurokit2() -> None:
    """Readings once a second, each with the intervals that ended since the last one."""
    rr = _nn()
    ends = np.cumsum(rr) / 1000.0
    monitor = HeartRateMonitor(HeartMonitorSettings(window_s=WINDOW_S))
    checked = 0
    second = 1.0
    start = 0
    while start < len(rr):
        stop = int(np.searchsorted(ends, second, side="right"))
        if stop > start:
            monitor.feed(second, 60_000.0 / rr[stop - 1], rr[start:stop].tolist(), True)
            start = stop
        if second % WINDOW_S == 0:
            window = (ends > second - WINDOW_S) & (ends <= second)
            kept = clean_rr(rr[window])
            mean_nn, rmssd = _reference(rr[window][kept], ends[window][kept])
            current = monitor.current
            assert current is not None
            assert current.mean_nn_ms == pytest.approx(mean_nn, rel=0.01)
            assert current.rmssd_ms == pytest.approx(rmssd, rel=0.01)
            assert current.mean_hr_bpm == pytest.approx(60_000.0 / mean_nn, rel=0.01)
            checked += 1
        second += 1.0
    assert checked >= 10


# -- artefacts ------------------------------------------------------------------------------


def test_ectopic_beats_missed_beats_and_artefacts_are_rejected() -> None:
    clean = _nn()[:400].copy()
    rr = clean.copy()
    rr[50], rr[51] = clean[50] * 0.7, clean[51] * 1.3  # premature beat, compensatory pause
    rr[120] = clean[120] + clean[121]  # a beat the strap missed
    rr[200] = 180.0  # a movement artefact
    rr[300], rr[301] = clean[300] * 0.45, clean[300] * 0.55  # a beat split in two
    rr[350], rr[351] = clean[350] * 0.75, clean[351] * 1.28
    injected = {50, 51, 120, 200, 300, 301, 350, 351}

    kept = clean_rr(rr)
    assert {int(i) for i in np.flatnonzero(~kept)} >= injected
    assert (~kept).sum() <= len(injected) + 4, "hardly any normal beat is lost"

    true_stats = rr_statistics(clean)
    assert true_stats is not None
    true_rmssd = true_stats.rmssd_ms
    cleaned = rr_statistics(rr, kept)
    raw = rr_statistics(rr)
    assert true_rmssd is not None and cleaned is not None and raw is not None
    assert cleaned.rmssd_ms == pytest.approx(true_rmssd, rel=0.05)
    assert raw.rmssd_ms is not None and raw.rmssd_ms > 1.5 * true_rmssd
    assert cleaned.rejected == (~kept).sum()


def test_rmssd_never_spans_a_rejected_beat() -> None:
    rr = np.array([800.0, 810.0, 3000.0, 820.0, 830.0])
    statistics = rr_statistics(rr, [True, True, False, True, True])
    assert statistics is not None
    assert statistics.rmssd_ms == pytest.approx(10.0)  # only 800->810 and 820->830
    assert statistics.mean_nn_ms == pytest.approx(815.0)


# -- the check-in advisory ------------------------------------------------------------------


def _session(
    monitor: HeartRateMonitor,
    minutes: list[tuple[float, float]],
    *,
    moving: bool = False,
    start: float = 0.0,
) -> list[object]:
    """Readings once a second, minute by minute at (bpm, motion spread in g)."""
    rng = np.random.default_rng(1)
    events: list[object] = []
    at = start
    for bpm, spread in minutes:
        for _ in range(60):
            at += 1.0
            monitor.note_motion(at, 0.3 if moving else spread)
            reading = bpm + rng.normal(0.0, 1.5)
            events += monitor.feed(at, reading, [60_000.0 / reading], True)
            events += monitor.tick(at)
    return events


RESTING = [(65.0, 0.01)] * 6
SURGE = [(112.0, 0.01)] * 2


def test_a_racing_heart_while_still_asks_to_check_in_once() -> None:
    monitor = HeartRateMonitor()
    events = _session(monitor, RESTING + SURGE)
    advisories = [e for e in events if isinstance(e, CheckInAdvisory)]
    assert len(advisories) == 1
    (advisory,) = advisories
    assert advisory.signal is ComfortSignal.CHECK_IN
    assert advisory.source is SignalSource.HEART
    assert advisory.baseline_bpm == pytest.approx(65.0, abs=2.0)
    assert advisory.bpm >= 65.0 * 1.3
    assert 360 < advisory.at < 360 + 30, "within half a minute of the surge"


def test_the_same_heart_rate_while_moving_is_exertion_not_distress() -> None:
    events = _session(HeartRateMonitor(), RESTING + SURGE, moving=True)
    assert not [e for e in events if isinstance(e, CheckInAdvisory)]


def test_without_motion_reports_stillness_is_unknown_and_nothing_is_asked() -> None:
    monitor = HeartRateMonitor()
    rng = np.random.default_rng(2)
    events: list[object] = []
    for second, bpm in enumerate([65.0] * 360 + [112.0] * 120, start=1):
        events += monitor.feed(float(second), bpm + rng.normal(0.0, 1.5))
    assert not [e for e in events if isinstance(e, CheckInAdvisory)]


def test_no_advisory_before_the_baseline_is_known() -> None:
    events = _session(HeartRateMonitor(), [(65.0, 0.01), (115.0, 0.01), (115.0, 0.01)])
    assert not [e for e in events if isinstance(e, CheckInAdvisory)]


def test_advisories_are_rate_limited() -> None:
    close = _session(HeartRateMonitor(), RESTING + SURGE + RESTING[:2] + SURGE)
    assert len([e for e in close if isinstance(e, CheckInAdvisory)]) == 1
    apart = _session(HeartRateMonitor(), RESTING + SURGE + RESTING + SURGE)
    assert len([e for e in apart if isinstance(e, CheckInAdvisory)]) == 2


def test_a_sustained_surge_asks_once_not_every_five_minutes() -> None:
    events = _session(HeartRateMonitor(), RESTING + [(112.0, 0.01)] * 8)
    assert len([e for e in events if isinstance(e, CheckInAdvisory)]) == 1


@settings(max_examples=60, deadline=None)
@given(
    readings=st.lists(
        st.tuples(
            st.floats(0, 260, allow_nan=False),
            st.lists(st.floats(100, 3000, allow_nan=False), max_size=3),
            st.sampled_from([True, False, None]),
            st.floats(0, 2, allow_nan=False),
        ),
        max_size=400,
    )
)
def test_heart_rate_never_pauses_or_stops(
    readings: list[tuple[float, list[float], bool | None, float]],
) -> None:
    monitor = HeartRateMonitor(HeartMonitorSettings(warmup_s=5.0, surge_window_s=3.0))
    events: list[object] = []
    for second, (bpm, rr, contact, spread) in enumerate(readings, start=1):
        monitor.note_motion(float(second), spread)
        events += monitor.feed(float(second), bpm, rr, contact)
        events += monitor.tick(float(second) + 0.5)
    for event in events:
        assert isinstance(event, CheckInAdvisory | ContactLost | ContactRestored)
        if isinstance(event, CheckInAdvisory):
            assert event.signal is ComfortSignal.CHECK_IN


# -- contact and devices without RR ---------------------------------------------------------


def test_off_the_skin_for_longer_than_the_timeout_is_contact_lost_then_restored() -> None:
    monitor = HeartRateMonitor(HeartMonitorSettings(contact_timeout_s=10.0))
    events: list[object] = []
    for second in range(1, 6):
        events += monitor.feed(float(second), 70.0, (), True)
    for second in range(6, 20):
        events += monitor.feed(float(second), 0.0, (), False)
    lost = [e for e in events if isinstance(e, ContactLost)]
    assert len(lost) == 1
    assert lost[0].since == 6.0 and lost[0].at == 16.0
    assert lost[0].reason == "the sensor is off the skin"
    assert monitor.feed(20.0, 72.0, (), True) == [ContactRestored(20.0)]


def test_a_silent_sensor_is_noticed_by_the_tick() -> None:
    monitor = HeartRateMonitor(HeartMonitorSettings(contact_timeout_s=10.0))
    monitor.feed(1.0, 70.0)
    assert monitor.tick(10.0) == []
    (lost,) = monitor.tick(11.0)
    assert isinstance(lost, ContactLost) and lost.reason == "no reading from the sensor"
    assert monitor.tick(30.0) == [], "said once"


def test_a_sensor_silent_only_while_its_radio_was_down_has_not_lost_contact() -> None:
    """Its wearable could send no reading while the link was down: the timeout counts from
    the link's return, so a reading just after it finds contact never lost."""
    monitor = HeartRateMonitor(HeartMonitorSettings(contact_timeout_s=10.0))
    monitor.feed(1.0, 70.0)
    monitor.radio_lost()
    assert monitor.tick(10.5) == [], "the link's own hold speaks while it is down"
    monitor.radio_back(10.8)
    assert monitor.tick(11.5) == [], "ten seconds since the last reading, but not since the return"
    assert monitor.feed(11.8, 71.0) == []
    monitor.radio_lost()
    monitor.radio_back(13.0)
    assert monitor.tick(22.9) == []
    (lost,) = monitor.tick(23.0)
    assert isinstance(lost, ContactLost) and lost.reason == "no reading from the sensor", (
        "still silent ten seconds after the return: lost"
    )


def test_a_device_without_rr_still_gives_mean_heart_rate() -> None:
    monitor = HeartRateMonitor()
    for second, bpm in enumerate([70.0, 72.0, 74.0], start=1):
        monitor.feed(float(second), bpm)
    current = monitor.current
    assert current is not None
    assert current.mean_hr_bpm == pytest.approx(72.0)
    assert current.rmssd_ms is None and current.mean_nn_ms is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: HeartMonitorSettings(window_s=0), "window_s must be positive"),
        (lambda: HeartMonitorSettings(surge_ratio=0.9), "surge_ratio must be above 1"),
        (lambda: RrCleaning(neighbourhood=4), "neighbourhood must be odd"),
        (lambda: RrCleaning(shortest_ms=900, longest_ms=800), "shortest_ms and longest_ms"),
    ],
)
def test_settings_name_what_is_wrong(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_motion_is_measured_over_a_second_even_one_sample_at_a_time() -> None:
    """A micro:bit sends one sample per notification; a swinging arm still shows."""
    meter, still = MotionMeter(), MotionMeter()
    spreads, calm = [], []
    for step in range(100):  # 2 s at 50 Hz
        at = step / 50
        swing = 0.4 * np.sin(2 * np.pi * 1.5 * at)
        spreads.append(meter.feed(np.array([at]), np.array([[swing, 0.3, -0.95 + swing]])))
        calm.append(still.feed(np.array([at]), np.array([[0.0, 0.3, -0.95]])))
    assert spreads[-1] > HeartMonitorSettings().moving_spread_g
    assert max(calm) < 1e-9
