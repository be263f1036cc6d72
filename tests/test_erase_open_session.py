"""Erasing while a hub records: the session in progress is kept, and recording never stops."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from hub.store import DATABASE_NAME, EventStore, StoreReader
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hub_processes import HubProcess
from tests.test_timeline_export import comfort_hub


async def test_erase_refuses_the_open_session_and_all_keeps_it(data_dir: Path) -> None:
    store = EventStore.open(data_dir)
    try:
        store.start_session("alex-sam", ("alex", "sam"), started_by="test")
        store.record("signal", {"level": "pause"}, wearer="alex")
        store.end_session()
        running = store.start_session("alex-sam", ("alex", "sam"), started_by="test")
        store.record("signal", {"level": "stop"}, wearer="sam")
        store.record_heart("sam", 1.0, 80.0)
        store.flush()

        refused = await comfort_hub("erase", running.id)
        assert refused.returncode == 1
        assert f"session {running.id} is still being recorded: end it first" in refused.stderr
        assert "comfort-hub sessions --end" in refused.stderr
        assert "Traceback" not in refused.stderr

        everything = await comfort_hub("erase", "--all")
        assert everything.returncode == 0, everything.stderr
        assert "erased 1 session(s)" in everything.stdout
        assert (
            f"kept session {running.id}: a running hub is still recording it" in everything.stdout
        )
        assert [s.id for s in StoreReader(store.path).sessions()] == [running.id]

        # The hub goes on recording into the session it kept.
        store.record("signal", {"level": "slow_down"}, wearer="alex")
        store.record_heart("sam", 2.0, 82.0)
        store.flush()
    finally:
        store.close()
    levels = [e.data["level"] for e in StoreReader(store.path).events(running.id)]
    assert levels == ["stop", "slow_down"]
    (sam,) = StoreReader(store.path).heart(running.id)
    assert sam.bpm == [80.0, 82.0]
    assert StoreReader(store.path).session(running.id).ended_by == "hub stopped"


def test_a_session_erased_under_the_hub_loses_no_later_event(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = EventStore.open(tmp_path)
    session = store.start_session("alex-sam", ("alex", "sam"), started_by="test")
    store.flush()
    # What an older erase did to a running hub: its session row deleted from another process.
    other = sqlite3.connect(store.path)
    other.execute("PRAGMA foreign_keys = ON")
    other.execute("DELETE FROM sessions WHERE id = ?", (session.id,))
    other.commit()
    other.close()

    with caplog.at_level(logging.WARNING):
        for second in range(5):
            store.record_heart("alex", float(second), 70.0 + second)
            store.record("signal", {"level": "stop", "n": second}, wearer="alex")
            store.flush()
        store.close()  # ends a session that is gone: no error

    db = sqlite3.connect(store.path)
    kept = db.execute("SELECT COUNT(*) FROM events WHERE kind = 'signal'").fetchone()[0]
    beats = db.execute("SELECT COUNT(*) FROM heart").fetchone()[0]
    db.close()
    assert (kept, beats) == (5, 5), "every event and reading is kept, outside any session"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) <= 2, [r.getMessage() for r in errors]  # once per table, not per write
    assert not any(r.exc_info for r in caplog.records), "no traceback"


@pytest.mark.timeout(90)
async def test_a_session_left_open_by_a_killed_hub_is_marked_crashed_and_erased(
    mosquitto: Mosquitto, pair_id: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "hub-data"
    hub = await HubProcess.start(pair_id, mosquitto.port, data_dir)
    try:
        await hub.send("tap alex")
        await hub.send("tap alex")
        await wait_until(lambda: bool(hub.saw(type="signal", signal="slow_down")))
        (running,) = StoreReader(data_dir / DATABASE_NAME).sessions()
        # While the hub runs, its session is refused, and says how to end it.
        refused = await comfort_hub("erase", running.id, "--data-dir", str(data_dir))
        assert refused.returncode == 1
        assert f"session {running.id} is still being recorded: end it first" in refused.stderr
    finally:
        await hub.kill()  # SIGKILL: the session stays open in the file

    erased = await comfort_hub("erase", "latest", "--data-dir", str(data_dir))
    assert erased.returncode == 0, erased.stderr
    assert (
        f"session {running.id} was left open by a hub that stopped unexpectedly: marked crash"
        in erased.stdout
    )
    assert "erased 1 session(s)" in erased.stdout
    assert StoreReader(data_dir / DATABASE_NAME).sessions() == []
