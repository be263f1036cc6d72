"""A level a restarted hub came back holding is a band in the new session's timeline."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from hub import StateRestored
from hub.store import EventStore, SessionRecorder, StoreReader
from hub.timeline import build_timeline
from signals import ComfortSignal, SignalSource
from tests.test_timeline_practice import signal


def test_a_stop_restored_at_start_is_held_from_then_until_it_is_lifted(tmp_path: Path) -> None:
    now = [time.time() - 200]
    store = EventStore.open(tmp_path)
    recorder = SessionRecorder(store, "p", ("alex", "sam"), clock=lambda: now[0])
    session = recorder.start()
    killed_at = datetime.fromtimestamp(now[0] - 60, UTC)
    now[0] += 1
    recorder(StateRestored("alex", ComfortSignal.STOP, killed_at))
    restored_at = now[0]
    now[0] += 30
    recorder(signal("alex", ComfortSignal.RESUME, SignalSource.BUTTON, 7))
    lifted_at = now[0]
    now[0] += 10
    recorder(StateRestored("sam", ComfortSignal.PAUSE, None))  # still held at the end
    recorder.end()
    store.close()

    timeline = build_timeline(StoreReader(store.path), session.id)

    bands = [(b["wearer"], b["level"], b["start"], b["end"]) for b in timeline["bands"]]
    assert bands[0] == ("alex", "stop", restored_at, lifted_at)
    assert [(wearer, level) for wearer, level, *_ in bands] == [("alex", "stop"), ("sam", "pause")]
    assert timeline["summary"]["seconds_held"]["alex"]["stop"] == round(lifted_at - restored_at, 3)
