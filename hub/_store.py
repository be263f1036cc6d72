"""What must survive a restart: each local wearer's held level and signal counter (SQLite).

Written synchronously at each change, before the signal leaves the hub, so a hub killed
during a stop comes back in stop.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from signals import ComfortSignal

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wearer_state (
    pair TEXT NOT NULL,
    wearer TEXT NOT NULL,
    level TEXT,            -- held level, NULL when clear
    signal_id TEXT,        -- the signal that set it
    since TEXT,            -- ISO 8601 UTC
    next_seq INTEGER NOT NULL,
    PRIMARY KEY (pair, wearer)
)
"""


@dataclass(frozen=True, slots=True)
class SavedState:
    level: ComfortSignal | None
    signal_id: str | None
    since: datetime | None
    next_seq: int


class StateStore:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        # FULL: a committed level is on disk before the signal is sent.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)

    def load(self, pair: str, wearer: str) -> SavedState:
        row = self._db.execute(
            "SELECT level, signal_id, since, next_seq FROM wearer_state "
            "WHERE pair = ? AND wearer = ?",
            (pair, wearer),
        ).fetchone()
        if row is None:
            return SavedState(None, None, None, 0)
        level, signal_id, since, next_seq = row
        try:
            held = ComfortSignal(level) if level is not None else None
        except ValueError:
            raise ValueError(
                f"{self.path}: wearer {wearer!r} has an unknown saved level {level!r}"
            ) from None
        return SavedState(
            held, signal_id, datetime.fromisoformat(since) if since else None, int(next_seq)
        )

    def save(
        self,
        pair: str,
        wearer: str,
        level: ComfortSignal | None,
        signal_id: str | None,
        since: datetime | None,
        next_seq: int,
    ) -> None:
        self._db.execute(
            "INSERT INTO wearer_state (pair, wearer, level, signal_id, since, next_seq) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (pair, wearer) DO UPDATE SET "
            "level = excluded.level, signal_id = excluded.signal_id, since = excluded.since, "
            "next_seq = excluded.next_seq",
            (
                pair,
                wearer,
                level.value if level is not None else None,
                signal_id,
                since.isoformat() if since else None,
                next_seq,
            ),
        )

    def close(self) -> None:
        self._db.close()
