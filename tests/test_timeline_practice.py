"""The timeline keeps a rehearsal apart from real signals, shows check-ins and their answers,
and a shared aftercare answer beside the moment it is about."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import Browser, expect

from hub import (
    FeedbackGiven,
    PracticeCheckIn,
    RehearsalChanged,
    RehearsalStep,
    SignalMessage,
    SignalSent,
)
from hub.store import EventStore, SessionRecorder, StoreReader
from hub.timeline import build_timeline
from hub.timeline._export import events_csv, export
from hub.timeline._page import timeline_html
from signals import ComfortSignal, SignalSource
from tests.browser import new_page, screenshot

SAMS_ANSWER: dict[str, str | int] = {"felt_good": "the slow part", "to_change": "", "comfort": 4}


def signal(wearer: str, kind: ComfortSignal, source: SignalSource, n: int) -> SignalSent:
    message = SignalMessage(
        id=f"{wearer}-{n}", seq=n, signal=kind, source=source, at=datetime.now(UTC)
    )
    return SignalSent(wearer, message, 0.0)


def record_an_evening_with_a_rehearsal(data_dir: Path) -> str:
    """A rehearsal of a stop and a pause, a real slow down, one check-in both answered."""
    # Events a few minutes back, so they lie inside the session the store opens and ends now.
    now = [time.time() - 200]
    store = EventStore.open(data_dir)
    recorder = SessionRecorder(store, "p", ("alex", "sam"), clock=lambda: now[0])
    session = recorder.start()
    for event in (
        RehearsalChanged("alex", running=True),
        RehearsalStep("alex", "long press", "stop", recognised=True, hint=None, partner_felt=True),
        signal("alex", ComfortSignal.STOP, SignalSource.REHEARSAL, 1),
        RehearsalStep("alex", "2 taps", "pause", recognised=False, hint="firm", partner_felt=False),
        RehearsalChanged("alex", running=False),
        signal("alex", ComfortSignal.SLOW_DOWN, SignalSource.TAP, 2),
        PracticeCheckIn("c1", None, None),
        PracticeCheckIn("c1", "alex", "all_good"),
        PracticeCheckIn("c1", "sam", "no_answer"),
        FeedbackGiven("sam", {**SAMS_ANSWER, "about": "alex-2"}),
        FeedbackGiven("alex", None),  # kept private: only that it was given is recorded
    ):
        now[0] += 10
        recorder(event)
    recorder.end()
    store.close()
    return session.id


def test_rehearsed_gestures_never_count_as_signals_or_hold_a_level(tmp_path: Path) -> None:
    session = record_an_evening_with_a_rehearsal(tmp_path)
    timeline = build_timeline(StoreReader(tmp_path / "comfort-hub.sqlite3"), session)
    summary = timeline["summary"]
    assert summary["signals_by_kind"] == {"slow_down": 1}
    assert [s["signal"] for s in summary["signals"]] == ["slow_down"]
    assert [(b["wearer"], b["level"]) for b in timeline["bands"]] == [("alex", "slow_down")]
    assert [(r["meaning"], r["recognised"]) for r in summary["rehearsal"]] == [
        ("stop", True),
        ("pause", False),
    ]


def test_a_check_in_is_shown_once_with_each_wearers_answer(tmp_path: Path) -> None:
    session = record_an_evening_with_a_rehearsal(tmp_path)
    timeline = build_timeline(StoreReader(tmp_path / "comfort-hub.sqlite3"), session)
    (check_in,) = timeline["summary"]["check_ins"]
    assert check_in["id"] == "c1"
    assert check_in["answers"] == {"alex": "all_good", "sam": "no_answer"}


def test_a_shared_answer_sits_beside_the_signal_it_is_about(tmp_path: Path) -> None:
    session = record_an_evening_with_a_rehearsal(tmp_path)
    timeline = build_timeline(StoreReader(tmp_path / "comfort-hub.sqlite3"), session)
    (slow_down,) = timeline["summary"]["signals"]
    (answer,) = slow_down["answers"]
    assert answer["wearer"] == "sam" and answer["answers"]["felt_good"] == "the slow part"
    assert [a["wearer"] for a in timeline["summary"]["shared_answers"]] == ["sam"]


async def test_the_timeline_page_shows_the_rehearsal_in_a_lane_of_its_own(
    tmp_path: Path, browser: Browser
) -> None:
    session = record_an_evening_with_a_rehearsal(tmp_path)
    timeline = build_timeline(StoreReader(tmp_path / "comfort-hub.sqlite3"), session)
    context, page = await new_page(browser)
    async with context:
        await page.set_content(timeline_html(timeline))
        await expect(page.locator("#summary")).to_contain_text("Signals: 1 \u00d7 SLOW DOWN")
        rehearsal = page.locator("section.practice")
        await expect(rehearsal).to_contain_text("not counted")
        await expect(rehearsal.locator("li")).to_have_count(2)
        await expect(rehearsal).to_contain_text("alex practised pause (not recognised yet)")
        await expect(page.locator("#signals tr")).to_have_count(3)  # header, slow down, answer
        await expect(page.locator("#check-ins")).to_contain_text("alex: all good, sam: no answer")
        await expect(page.locator("#chart")).to_have_attribute("data-rehearsal", "2")
        # sam's shared answer is the row right after the slow down it is about.
        beside = page.locator("#signals tr", has_text="SLOW DOWN").locator(
            "xpath=following-sibling::tr[1]"
        )
        await expect(beside).to_contain_text("sam shared: felt good: the slow part")
        await screenshot(page, "timeline-rehearsal-phone")


def test_the_svg_export_writes_the_shared_answer_beside_its_signal(tmp_path: Path) -> None:
    session = record_an_evening_with_a_rehearsal(tmp_path)
    timeline = build_timeline(StoreReader(tmp_path / "comfort-hub.sqlite3"), session)
    out = tmp_path / "t.svg"
    export(timeline, "svg", out)
    # Matplotlib draws text as glyphs and keeps the words in a comment beside them.
    assert "sam shared: the slow part" in out.read_text()


def test_the_csv_export_ties_the_shared_answer_to_its_signal_and_says_nothing_private(
    tmp_path: Path,
) -> None:
    session = record_an_evening_with_a_rehearsal(tmp_path)
    timeline = build_timeline(StoreReader(tmp_path / "comfort-hub.sqlite3"), session)
    rows = list(csv.DictReader(io.StringIO(events_csv(timeline))))
    about = [r for r in rows if r["id"] == "alex-2"]
    assert [r["type"] for r in about] == ["signal", "feedback"]
    assert "the slow part" in about[1]["detail"]
    (private,) = [r for r in rows if r["type"] == "feedback" and r["wearer"] == "alex"]
    assert json.loads(private["detail"]) == {"shared": None}
