"""Bringing in what older hubs kept: JSON-lines journals and the held-level file, once each."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from hub.store._store import EventStore

# What hubs before the event store wrote into their data directory.
JOURNAL_SUFFIX = "-events.jsonl"
OLD_STATE_NAME = "state.sqlite3"


def read_journal(path: Path) -> list[dict[str, Any]]:
    """The events of a journal; a torn last line (the hub died while writing) is skipped."""
    events = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                if line.endswith("\n"):
                    raise ValueError(
                        f"{path}:{number}: not a journal line: {line[:60]!r}"
                    ) from None
    return events


def import_old_files(store: EventStore, data_dir: Path) -> list[str]:
    """Imports journals and held levels not yet imported; returns what was imported."""
    imported: list[str] = []
    for journal in sorted(data_dir.glob(f"*{JOURNAL_SUFFIX}")):
        if store.transaction(partial(_import_journal, path=journal)):
            imported.append(journal.name)
    old_state = data_dir / OLD_STATE_NAME
    if old_state.exists() and store.transaction(partial(_import_levels, old_state=old_state)):
        imported.append(old_state.name)
    return imported


def _import_journal(db: sqlite3.Connection, path: Path) -> bool:
    name = path.name
    if db.execute("SELECT 1 FROM imported_journals WHERE name = ?", (name,)).fetchone():
        return False
    records = read_journal(path)
    pair = name.removesuffix(JOURNAL_SUFFIX)
    times = [datetime.fromisoformat(str(r["time"])).timestamp() for r in records if "time" in r]
    wearers = sorted({str(r["wearer"]) for r in records if r.get("wearer")})
    db.execute("INSERT INTO imported_journals (name) VALUES (?)", (name,))
    if not records:
        return True
    session_id = f"journal-{pair}"
    db.execute(
        "INSERT INTO sessions (id, pair, wearers, devices, demo, started_at, started_by, "
        "ended_at, ended_by) VALUES (?, ?, ?, '{}', 0, ?, 'imported journal', ?, 'imported')",
        (session_id, pair, json.dumps(wearers), min(times, default=0.0), max(times, default=0.0)),
    )
    for record in records:
        record = dict(record)
        at = datetime.fromisoformat(str(record.pop("time"))).timestamp()
        kind = str(record.pop("type", "unknown"))
        wearer = record.pop("wearer", None)
        if kind == "heart":
            db.execute(
                "INSERT INTO heart (session_id, wearer, at, bpm) VALUES (?, ?, ?, ?)",
                (session_id, wearer, at, record.get("bpm", 0)),
            )
            continue
        db.execute(
            "INSERT INTO events (session_id, at, kind, wearer, data) VALUES (?, ?, ?, ?, ?)",
            (session_id, at, kind, wearer, json.dumps(record)),
        )
    return True


def _import_levels(db: sqlite3.Connection, old_state: Path) -> bool:
    if db.execute("SELECT 1 FROM imported_journals WHERE name = ?", (old_state.name,)).fetchone():
        return False
    old = sqlite3.connect(old_state)
    try:
        rows = old.execute(
            "SELECT pair, wearer, level, signal_id, since, next_seq FROM wearer_state"
        ).fetchall()
    finally:
        old.close()
    db.executemany(
        "INSERT OR IGNORE INTO wearer_state (pair, wearer, level, signal_id, since, next_seq) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    db.execute("INSERT INTO imported_journals (name) VALUES (?)", (old_state.name,))
    return True
