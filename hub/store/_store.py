"""The hub's one event store: held levels, sessions, events and heart rate in SQLite (WAL).

Everything goes through one writer thread (see ``_writer``). The held level is the exception
that proves the rule: :meth:`EventStore.save` waits for its commit, because a hub killed
right after publishing a stop must come back in stop.

Other features record their own kinds of events with :meth:`EventStore.record`
(``store.record("practice.agreement", {...}, wearer="alex")``); the timeline shows them.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from hub.store._files import DATABASE_NAME, connect
from hub.store._lock import hold_for_hub
from hub.store._reader import StoreReader, UnknownSessionError
from hub.store._records import SESSION_COLUMNS, SavedState, SessionInfo, check_kind
from hub.store._schema import migrate
from hub.store._writer import Writer
from signals import ComfortSignal

T = TypeVar("T")
log = logging.getLogger(__name__)


class EventStore(StoreReader):
    """The store a hub writes to. Also a :class:`StoreReader` of what it wrote.

    One per data folder at a time: opening a second (another hub's, in any process) raises
    :class:`~hub.store.StoreInUseError` naming the folder."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(Path(path))
        # Held until close, by this hub alone: a second hub on the folder is refused here,
        # before it connects anything, and `comfort-hub erase` tells a hub recording from one
        # that crashed. Only with the lock held is a session still open a crashed one.
        self._open_lock = hold_for_hub(self.path)
        try:
            db = connect(self.path)
            migrate(db, self.path)
            self.crashed = _mark_crashed(db)
        except BaseException:
            os.close(self._open_lock)
            raise
        self._writer = Writer(db)
        self._current: SessionInfo | None = None

    @classmethod
    def open(cls, data_dir: Path) -> EventStore:
        return cls(data_dir / DATABASE_NAME)

    # -- held levels (the session's persistence protocol) ----------------------------------

    def load(self, pair: str, wearer: str) -> SavedState:
        def read(db: sqlite3.Connection) -> tuple[Any, Any]:
            key = (pair, wearer)
            level = db.execute(
                "SELECT level, signal_id, since, next_seq FROM wearer_state "
                "WHERE pair = ? AND wearer = ?",
                key,
            ).fetchone()
            ack = db.execute(
                "SELECT id, at FROM last_acks WHERE pair = ? AND wearer = ?", key
            ).fetchone()
            return level, ack

        row, ack = self._writer.call(read)
        ack_id, ack_at = ack if ack is not None else (None, None)
        level, signal_id, since, next_seq = row if row is not None else (None, None, None, 0)
        return SavedState(
            ComfortSignal(level) if level else None,
            signal_id,
            datetime.fromisoformat(since) if since else None,
            int(next_seq),
            ack_id,
            datetime.fromisoformat(ack_at) if ack_at else None,
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
        """Durable when it returns (with every event queued before it)."""
        params = (
            pair,
            wearer,
            level.value if level is not None else None,
            signal_id,
            since.isoformat() if since else None,
            next_seq,
        )
        self._writer.call(
            lambda db: db.execute(
                "INSERT INTO wearer_state (pair, wearer, level, signal_id, since, next_seq) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (pair, wearer) DO UPDATE SET "
                "level = excluded.level, signal_id = excluded.signal_id, "
                "since = excluded.since, next_seq = excluded.next_seq",
                params,
            )
        )

    def save_ack(self, pair: str, wearer: str, ack_id: str, at: datetime) -> None:
        """Keeps ``wearer``'s last acknowledgement; durable when it returns (with every event
        queued before it, the ack's own row among them)."""
        params = (pair, wearer, ack_id, at.isoformat())
        self._writer.call(
            lambda db: db.execute(
                "INSERT INTO last_acks (pair, wearer, id, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (pair, wearer) DO UPDATE SET id = excluded.id, at = excluded.at",
                params,
            )
        )

    # -- sessions --------------------------------------------------------------------------

    @property
    def current_session(self) -> SessionInfo | None:
        return self._current

    def start_session(
        self,
        pair: str,
        wearers: tuple[str, ...],
        *,
        devices: Mapping[str, str] | None = None,
        demo: bool = False,
        started_by: str = "explicit",
        at: float | None = None,
        adopt_since: float | None = None,
    ) -> SessionInfo:
        """Starts a session (ending the open one first) and returns it.

        Events recorded outside any session since ``adopt_since`` (a wearable that connected
        before the other one) become the new session's.
        """
        if self._current is not None:
            self.end_session("a new session began", at=at)
        at = time.time() if at is None else at
        session = SessionInfo(
            f"{time.strftime('%Y%m%d-%H%M%S', time.localtime(at))}-{secrets.token_hex(3)}",
            pair,
            tuple(wearers),
            dict(devices or {}),
            demo,
            at,
            started_by,
            None,
            None,
        )
        row = (
            session.id,
            pair,
            json.dumps(list(session.wearers)),
            json.dumps(session.devices),
            int(demo),
            at,
            started_by,
        )

        def insert(db: sqlite3.Connection) -> None:
            db.execute(
                f"INSERT INTO sessions ({SESSION_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                row,
            )
            if adopt_since is not None:
                for table in ("events", "heart", "rmssd"):
                    db.execute(
                        f"UPDATE {table} SET session_id = ? WHERE session_id IS NULL AND at >= ?",
                        (session.id, adopt_since),
                    )
            # The plan agreed before the session is the session's.
            db.execute(
                "UPDATE practice_plan_changes SET session_id = ? "
                "WHERE session_id IS NULL AND pair = ?",
                (session.id, pair),
            )

        self._writer.call(insert)
        self._current = session
        return session

    def end_session(
        self, ended_by: str = "explicit", *, at: float | None = None
    ) -> SessionInfo | None:
        """Ends the open session; returns it, or None when none was open."""
        session, self._current = self._current, None
        if session is None:
            return None
        at = time.time() if at is None else at
        self._writer.call(
            lambda db: db.execute(
                "UPDATE sessions SET ended_at = ?, ended_by = ? WHERE id = ?",
                (at, ended_by, session.id),
            )
        )
        try:
            return self.session(session.id)
        except UnknownSessionError:
            # Erased while it was recorded (by an older erase): there is nothing to end.
            log.warning("session %s was erased while it was recorded", session.id)
            return None

    # -- events ----------------------------------------------------------------------------

    def record(
        self,
        kind: str,
        data: Mapping[str, Any],
        *,
        wearer: str | None = None,
        at: float | None = None,
        urgent: bool = True,
    ) -> None:
        """Queues one event of ``kind`` in the open session (or none, outside sessions)."""
        row = (
            time.time() if at is None else at,
            check_kind(kind),
            wearer,
            json.dumps(dict(data), default=str),
        )
        self._writer.write(
            "INSERT INTO events (session_id, at, kind, wearer, data) VALUES (?, ?, ?, ?, ?)",
            (self._session_id(), *row),
            urgent=urgent,
            fallback=(None, *row),
        )

    def write(self, sql: str, params: tuple[Any, ...]) -> None:
        """Queues one statement of a feature's own rows (committed soon, never waited for)."""
        self._writer.write(sql, params)

    def record_heart(self, wearer: str, at: float, bpm: float) -> None:
        self._writer.write(
            "INSERT INTO heart (session_id, wearer, at, bpm) VALUES (?, ?, ?, ?)",
            (self._session_id(), wearer, at, bpm),
            urgent=False,
            fallback=(None, wearer, at, bpm),
        )

    def record_rmssd(self, wearer: str, at: float, window_s: float, rmssd_ms: float) -> None:
        self._writer.write(
            "INSERT INTO rmssd (session_id, wearer, at, window_s, rmssd_ms) VALUES (?, ?, ?, ?, ?)",
            (self._session_id(), wearer, at, window_s, rmssd_ms),
            urgent=False,
            fallback=(None, wearer, at, window_s, rmssd_ms),
        )

    def transaction(self, function: Callable[[sqlite3.Connection], T]) -> T:
        """Runs ``function`` in the writer's thread and transaction; waits for the commit."""
        return self._writer.call(function)

    def flush(self) -> None:
        """Waits until every queued write is committed."""
        self._writer.flush()

    def _session_id(self) -> str | None:
        return self._current.id if self._current is not None else None

    def close(self, ended_by: str = "hub stopped") -> None:
        """Ends the open session (a clean stop is not a crash) and closes the file."""
        self.end_session(ended_by)
        self._writer.close()
        os.close(self._open_lock)


def _mark_crashed(db: sqlite3.Connection) -> list[str]:
    """Sessions left open by a hub that died: ended at their last record, by a crash."""
    open_ids = [row[0] for row in db.execute("SELECT id FROM sessions WHERE ended_at IS NULL")]
    for session_id in open_ids:
        db.execute(
            "UPDATE sessions SET ended_by = 'crash', ended_at = MAX(started_at, "
            "COALESCE((SELECT MAX(at) FROM events WHERE session_id = ?1), 0), "
            "COALESCE((SELECT MAX(at) FROM heart WHERE session_id = ?1), 0)) WHERE id = ?1",
            (session_id,),
        )
    return open_ids
