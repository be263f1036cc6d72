"""The event store on its own: levels, sessions by themselves, old files, private files."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from firmware_bridge import HeartReading, LinkEvent, LinkState
from hub import HeartRate, LinkChanged
from hub.store import (
    DATABASE_NAME,
    SCHEMA_VERSION,
    EventStore,
    NewerSchemaError,
    SessionRecorder,
    StoreReader,
    erase,
    import_old_files,
)
from signals import ComfortSignal


def link(wearer: str, state: LinkState) -> LinkChanged:
    return LinkChanged(wearer, LinkEvent(state, 0.0, "C0:00:00:00:00:01"))


def test_levels_survive_reopening_and_files_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    store = EventStore.open(data_dir)
    since = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    store.save("p", "alex", ComfortSignal.STOP, "sig-1", since, 7)
    store.close()
    again = EventStore.open(data_dir)
    saved = again.load("p", "alex")
    assert (saved.level, saved.signal_id, saved.since, saved.next_seq) == (
        ComfortSignal.STOP,
        "sig-1",
        since,
        7,
    )
    assert again.load("p", "sam").level is None
    again.close()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for file in data_dir.glob(f"{DATABASE_NAME}*"):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def test_a_session_starts_when_both_connect_and_ends_when_both_are_gone_long_enough(
    tmp_path: Path,
) -> None:
    now = [1000.0]
    store = EventStore.open(tmp_path)
    recorder = SessionRecorder(store, "p", ("alex", "sam"), idle_end_s=60, clock=lambda: now[0])
    recorder(link("alex", LinkState.CONNECTED))
    assert recorder.session is None
    recorder(link("sam", LinkState.CONNECTED))
    session = recorder.session
    assert session is not None and session.started_by == "wearables connected"
    for second in range(3):
        now[0] += 0.4 * second
        recorder(HeartRate("alex", HeartReading(now[0], 70 + second)))
    recorder(link("alex", LinkState.LOST))
    recorder(link("sam", LinkState.LOST))
    now[0] += 59
    recorder.tick()
    assert recorder.session is not None, "not gone long enough yet"
    now[0] += 2
    recorder.tick()
    assert recorder.session is None
    store.close()
    ended = StoreReader(store.path).session(session.id)
    assert ended.ended_by == "wearables gone"
    # Both links are the session's (the first came before it started); heart once a second.
    events = StoreReader(store.path).events(session.id)
    assert [e.wearer for e in events if e.data.get("state") == "connected"] == ["alex", "sam"]
    (alex,) = StoreReader(store.path).heart(session.id)
    assert len(alex.bpm) == 2


def test_a_wearers_last_ack_outlives_the_hub_until_everything_is_erased(tmp_path: Path) -> None:
    store = EventStore.open(tmp_path)
    noticed = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    store.save_ack("p", "sam", "sig-1", noticed)
    store.save_ack("p", "sam", "sig-2", noticed)  # only the last one is said again
    store.close()
    again = EventStore.open(tmp_path)
    saved = again.load("p", "sam")
    assert (saved.level, saved.ack_id, saved.ack_at) == (None, "sig-2", noticed)
    assert again.load("p", "alex").ack_id is None
    again.close()

    erase(tmp_path / DATABASE_NAME, None)
    after = EventStore.open(tmp_path)
    assert after.load("p", "sam").ack_id is None
    after.close()


def test_an_old_journal_and_level_file_are_imported_once(tmp_path: Path) -> None:
    journal = tmp_path / "home-events.jsonl"
    lines = [
        {
            "time": "2026-01-01T20:00:00+00:00",
            "type": "signal",
            "wearer": "alex",
            "id": "a1",
            "signal": "stop",
        },
        {"time": "2026-01-01T20:00:02+00:00", "type": "ack", "wearer": "sam", "id": "a1"},
        {"time": "2026-01-01T20:00:03+00:00", "type": "heart", "wearer": "sam", "bpm": 80},
    ]
    journal.write_text("".join(json.dumps(line) + "\n" for line in lines) + '{"time": "20')
    old = sqlite3.connect(tmp_path / "state.sqlite3")
    old.execute(
        "CREATE TABLE wearer_state (pair TEXT, wearer TEXT, level TEXT, signal_id TEXT, "
        "since TEXT, next_seq INTEGER)"
    )
    old.execute("INSERT INTO wearer_state VALUES ('home', 'alex', 'stop', 'a1', NULL, 4)")
    old.commit()
    old.close()

    store = EventStore.open(tmp_path)
    assert import_old_files(store, tmp_path) == ["home-events.jsonl", "state.sqlite3"]
    assert import_old_files(store, tmp_path) == []
    assert store.load("home", "alex").level is ComfortSignal.STOP
    (session,) = store.sessions()
    assert [(e.kind, e.wearer) for e in store.events(session.id)] == [
        ("signal", "alex"),
        ("ack", "sam"),
    ]
    assert store.heart(session.id)[0].bpm == [80]
    store.close()


def test_a_store_from_a_newer_version_is_refused_by_name(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(NewerSchemaError, match=rf"{DATABASE_NAME}: schema version"):
        EventStore.open(tmp_path)


def test_a_feature_records_its_own_kinds_of_events(tmp_path: Path) -> None:
    store = EventStore.open(tmp_path)
    session = store.start_session("p", ("alex", "sam"))
    store.record("practice.agreement", {"words": "tap twice to slow down"}, wearer="alex")
    with pytest.raises(ValueError, match="event kind 'Bad Kind'"):
        store.record("Bad Kind", {})
    store.flush()
    (event,) = store.events(session.id)
    assert (event.kind, event.data["words"]) == ("practice.agreement", "tap twice to slow down")
    store.close()


def test_bench_timeline_prints_the_figures() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hub", "bench", "timeline", "--hours", "0.1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "PNG rendered:" in result.stdout and "page payload:" in result.stdout
