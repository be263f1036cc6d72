"""``comfort-hub bench timeline``: an 8-hour session (heart rate every second, hundreds of
events) built, drawn as PNG and weighed as the page's payload. Figures only, no verdict."""

from __future__ import annotations

import gzip
import json
import math
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from hub.store import EventStore
from hub.timeline import build_timeline, export

SESSION_HOURS = 8.0
SIGNAL_EVERY_S = 240.0  # ~120 signals, each with its alert, ack and confirmation


def _fill(store: EventStore, hours: float) -> str:
    start = time.time() - hours * 3600
    session = store.start_session("bench", ("alex", "sam"), at=start, started_by="bench")
    seconds = int(hours * 3600)
    noise = random.Random(7)

    def insert(db: sqlite3.Connection) -> None:
        db.executemany(
            "INSERT INTO heart (session_id, wearer, at, bpm) VALUES (?, ?, ?, ?)",
            (
                (session.id, wearer, start + s, base + 12 * math.sin(s / 900) + noise.gauss(0, 2))
                for s in range(seconds)
                for wearer, base in (("alex", 72.0), ("sam", 66.0))
            ),
        )
        rows = []
        levels = ("slow_down", "pause", "stop", "resume")
        for index, at in enumerate(range(60, seconds, int(SIGNAL_EVERY_S))):
            signal_id = str(uuid.uuid4())
            signal = levels[index % 4]
            t = start + at
            rows += [
                (session.id, t, "signal", "alex", {"id": signal_id, "signal": signal}),
                (
                    session.id,
                    t,
                    "alert",
                    "sam",
                    {"id": signal_id, "signal": signal, "from": "alex"},
                ),
                (session.id, t + 1.3, "ack", "sam", {"id": signal_id, "by": "sam"}),
                (session.id, t + 1.4, "confirmed", "alex", {"id": signal_id, "by": "sam"}),
            ]
        db.executemany(
            "INSERT INTO events (session_id, at, kind, wearer, data) VALUES (?, ?, ?, ?, ?)",
            ((s, at, kind, w, json.dumps(d)) for s, at, kind, w, d in rows),
        )

    store.transaction(insert)
    store.end_session("bench", at=start + seconds)
    return session.id


def run_timeline_bench(say: Callable[[str], None], hours: float = SESSION_HOURS) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = EventStore.open(Path(folder))
        try:
            session_id = _fill(store, hours)
            began = time.perf_counter()
            timeline = build_timeline(store, session_id)
            built = time.perf_counter() - began
            payload = json.dumps(timeline).encode()
            out = Path(folder) / "timeline.png"
            began = time.perf_counter()
            export(timeline, "png", out)
            drawn = time.perf_counter() - began
        finally:
            store.close()
        points = sum(len(h["bpm"]) for h in timeline["heart"].values())
        say(f"session: {hours:g} h, {points} heart-rate values, {len(timeline['events'])} events")
        say(f"  read and summarised: {built:.2f} s")
        say(f"  PNG rendered:        {drawn:.2f} s ({out.stat().st_size // 1024} KiB)")
        say(
            f"  page payload:        {len(payload) / 1e6:.1f} MB JSON, "
            f"{len(gzip.compress(payload)) / 1e6:.1f} MB gzipped"
        )
