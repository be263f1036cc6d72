"""``comfort-hub erase SESSION`` leaves nothing of the session in the file's bytes: not the
readings recorded outside any session while it ran, nor the signal that lifted a level."""

from __future__ import annotations

import struct
import time
from datetime import UTC, datetime
from pathlib import Path

from hub.store import EventStore
from signals import ComfortSignal
from tests.test_practice_store import database_bytes
from tests.test_timeline_export import comfort_hub

PAIR = ("alex", "sam")
STOP_ID = "5709a6c2-stop-of-the-erased-session"
RESUME_ID = "9f1d77e0-resume-of-the-erased-session"
HELD_ID = "c3e0b9aa-pause-sam-still-holds"


def real(value: float) -> bytes:
    """How SQLite keeps a REAL in the file: 8 bytes, big-endian IEEE 754."""
    return struct.pack(">d", value)


async def test_erasing_a_session_takes_its_stray_readings_and_the_signal_that_lifted_a_level(
    data_dir: Path,
) -> None:
    store = EventStore.open(data_dir)
    t0 = time.time() - 600
    session = store.start_session("alex-sam", PAIR, started_by="test", at=t0)
    store.record("signal", {"id": STOP_ID, "signal": "stop"}, wearer="alex")
    store.record("signal", {"id": HELD_ID, "signal": "pause"}, wearer="sam")
    store.record("signal", {"id": RESUME_ID, "signal": "resume"}, wearer="alex")
    store.record_heart("alex", t0 + 5, 71.123)
    store.end_session(at=t0 + 60)
    # Recorded outside any session while it ran (as when a write outlives its session's row).
    store.record_heart("sam", t0 + 30, 93.217)
    store.record_rmssd("sam", t0 + 31, 30.0, 41.733)
    store.record_heart("sam", t0 + 120, 64.519)  # after it: not the session's
    # alex lifted their stop in the session; sam still holds a pause.
    store.save("alex-sam", "alex", None, RESUME_ID, datetime.fromtimestamp(t0 + 10, UTC), 3)
    store.save(
        "alex-sam", "sam", ComfortSignal.PAUSE, HELD_ID, datetime.fromtimestamp(t0 + 20, UTC), 1
    )
    store.close()
    gone = [STOP_ID.encode(), RESUME_ID.encode(), real(71.123), real(93.217), real(41.733)]
    assert all(secret in database_bytes(data_dir) for secret in gone), "the test wrote them"

    erased = await comfort_hub("erase", session.id)

    assert erased.returncode == 0, erased.stderr
    contents = database_bytes(data_dir)
    assert [secret for secret in gone if secret in contents] == []
    assert real(64.519) in contents, "a reading after the session stays"
    store = EventStore.open(data_dir)
    try:
        alex, sam = store.load("alex-sam", "alex"), store.load("alex-sam", "sam")
    finally:
        store.close()
    assert (alex.level, alex.signal_id, alex.since, alex.next_seq) == (None, None, None, 3)
    # A level still held keeps its signal: a restarted hub comes back holding the pause.
    assert (sam.level, sam.signal_id) == (ComfortSignal.PAUSE, HELD_ID)
