"""Reading the store: sessions, their events and heart rate. Safe while a hub is writing."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from hub.store._files import connect
from hub.store._records import SESSION_COLUMNS, SessionInfo, StoredEvent


class UnknownSessionError(LookupError):
    """No session by that id (or none at all, for ``latest``)."""


@dataclass(frozen=True, slots=True)
class HeartSeries:
    wearer: str
    times: list[float]
    bpm: list[float]


@dataclass(frozen=True, slots=True)
class RmssdSeries:
    wearer: str
    times: list[float]
    rmssd_ms: list[float]


class StoreReader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _db(self) -> sqlite3.Connection:
        if not self.path.exists():
            raise UnknownSessionError(f"{self.path}: no event store here yet (run a hub first)")
        return connect(self.path)

    def sessions(self) -> list[SessionInfo]:
        db = self._db()
        try:
            rows = db.execute(f"SELECT {SESSION_COLUMNS} FROM sessions ORDER BY started_at")
            return [SessionInfo.from_row(row) for row in rows]
        finally:
            db.close()

    def session(self, wanted: str) -> SessionInfo:
        """The session with id ``wanted``; ``latest`` is the one started last."""
        db = self._db()
        try:
            if wanted == "latest":
                row = db.execute(
                    f"SELECT {SESSION_COLUMNS} FROM sessions ORDER BY started_at DESC LIMIT 1"
                ).fetchone()
            else:
                row = db.execute(
                    f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?", (wanted,)
                ).fetchone()
        finally:
            db.close()
        if row is None:
            raise UnknownSessionError(
                f"{self.path}: no sessions yet"
                if wanted == "latest"
                else f"{self.path}: no session {wanted!r} (comfort-hub sessions lists them)"
            )
        return SessionInfo.from_row(row)

    def events(self, session_id: str, *, after: int = 0) -> list[StoredEvent]:
        db = self._db()
        try:
            rows = db.execute(
                "SELECT n, at, kind, wearer, data FROM events WHERE session_id = ? AND n > ? "
                "ORDER BY n",
                (session_id, after),
            ).fetchall()
        finally:
            db.close()
        return [
            StoredEvent(n, at, kind, wearer, json.loads(data)) for n, at, kind, wearer, data in rows
        ]

    def heart(self, session_id: str) -> list[HeartSeries]:
        db = self._db()
        try:
            rows = db.execute(
                "SELECT wearer, at, bpm FROM heart WHERE session_id = ? ORDER BY wearer, at",
                (session_id,),
            ).fetchall()
        finally:
            db.close()
        series: dict[str, HeartSeries] = {}
        for wearer, at, bpm in rows:
            line = series.setdefault(wearer, HeartSeries(wearer, [], []))
            line.times.append(at)
            line.bpm.append(bpm)
        return list(series.values())

    def rmssd(self, session_id: str) -> list[RmssdSeries]:
        db = self._db()
        try:
            rows = db.execute(
                "SELECT wearer, at, rmssd_ms FROM rmssd WHERE session_id = ? ORDER BY wearer, at",
                (session_id,),
            ).fetchall()
        finally:
            db.close()
        series: dict[str, RmssdSeries] = {}
        for wearer, at, value in rows:
            line = series.setdefault(wearer, RmssdSeries(wearer, [], []))
            line.times.append(at)
            line.rmssd_ms.append(value)
        return list(series.values())
