"""Erasing sessions so they are really gone from the file, not just unlisted.

``secure_delete`` overwrites the deleted rows with zeros, ``VACUUM`` rebuilds the file
without the freed pages, and a truncating checkpoint empties the write-ahead log, which
would otherwise still hold copies of the erased pages.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hub.store._files import TIMELINES_FOLDER, connect
from hub.store._lock import no_hub_has_it_open
from hub.store._reader import UnknownSessionError
from hub.store._schema import migrate
from hub.store._store import _mark_crashed

# Every table whose rows belong to a session (the practice's plan changes and feedback too).
SESSION_TABLES = ("events", "heart", "rmssd", "practice_plan_changes", "practice_feedback")
# Tables whose rows carry their time (Unix seconds): a row recorded outside any session
# (NULL) while a session ran is that session's too.
TIMED_TABLES = ("events", "heart", "rmssd")

END_IT_FIRST = "end it first (comfort-hub sessions --end, or the page)"


class SessionStillOpenError(RuntimeError):
    """The session is still being recorded: erasing it would lose what a hub is writing."""


@dataclass(frozen=True, slots=True)
class Erased:
    ids: list[str]
    # Sessions still being recorded, which ``--all`` leaves alone.
    kept_open: list[str]


def erase(path: Path, session_id: str | None) -> Erased:
    """Erases one ended session (or every ended one, with None).

    A session not yet ended is never erased: a running hub is still writing its events,
    and they would be lost. Erasing everything also forgets who confirmed the agreed signals,
    which signal set each held level and when, and each wearer's last acknowledgement, but
    never the level itself: a hub must still come back holding a stop it held. Erasing one
    session takes the rows recorded outside any session during it too, and forgets which
    signal lifted a wearer's level when that signal was the session's (nothing is held then,
    so nothing needs it). It keeps how far a partner hub's plan changes were taken (a time,
    no words), so an erased change is not taken again from that hub's retained copy;
    erasing everything forgets that too.
    """
    if not path.exists():
        raise UnknownSessionError(f"{path}: no event store here")
    db = connect(path)
    try:
        migrate(db, path)  # a file from before the practice tables has them now
        db.execute("BEGIN IMMEDIATE")
        kept_open = [r[0] for r in db.execute("SELECT id FROM sessions WHERE ended_at IS NULL")]
        if session_id is None:
            ids = [r[0] for r in db.execute("SELECT id FROM sessions WHERE ended_at IS NOT NULL")]
            for table in SESSION_TABLES:
                # Rows recorded outside any session (NULL) go too; the open session's stay.
                db.execute(
                    f"DELETE FROM {table} WHERE session_id IS NULL OR session_id NOT IN "
                    "(SELECT id FROM sessions WHERE ended_at IS NULL)"
                )
            db.execute("DELETE FROM practice_confirmations")
            db.execute("DELETE FROM practice_heard")
            db.execute("DELETE FROM sessions WHERE ended_at IS NOT NULL")
            if not kept_open:
                db.execute(
                    "UPDATE wearer_state SET signal_id = NULL, since = NULL WHERE level IS NULL"
                )
                db.execute("DELETE FROM last_acks")
        else:
            if not db.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone():
                db.execute("ROLLBACK")
                raise UnknownSessionError(
                    f"{path}: no session {session_id!r} (comfort-hub sessions lists them)"
                )
            if session_id in kept_open:
                db.execute("ROLLBACK")
                raise SessionStillOpenError(
                    f"session {session_id} is still being recorded: {END_IT_FIRST}"
                )
            ids = [session_id]
            started, ended = db.execute(
                "SELECT started_at, ended_at FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            _forget_lifting_signal(db, session_id, started, ended)
            for table in TIMED_TABLES:
                db.execute(
                    f"DELETE FROM {table} WHERE session_id IS NULL AND at BETWEEN ? AND ?",
                    (started, ended),
                )
            for table in SESSION_TABLES:
                db.execute(f"DELETE FROM {table} WHERE session_id = ?", (session_id,))
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        db.execute("COMMIT")
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    for session in ids:
        # The page the demo exported beside the store is the session's too.
        (path.parent / TIMELINES_FOLDER / f"{session}.html").unlink(missing_ok=True)
    return Erased(ids, kept_open)


def close_abandoned_sessions(path: Path) -> list[str] | None:
    """Marks crashed the sessions left open by a hub that died, as the next hub to start
    would; returns their ids, or None when a hub has the store open (and is recording)."""
    if not path.exists():
        return []
    with no_hub_has_it_open(path) as free:
        if not free:
            return None
        db = connect(path)
        try:
            migrate(db, path)
            db.execute("BEGIN IMMEDIATE")
            abandoned = _mark_crashed(db)
            db.execute("COMMIT")
        finally:
            db.close()
    return abandoned


def _forget_lifting_signal(
    db: sqlite3.Connection, session_id: str, started: float, ended: float
) -> None:
    """A wearer who holds nothing keeps no trace of the session's signal that lifted their
    level (its id, or a time within the session). A held level keeps its signal: the hub
    comes back holding it."""
    rows = db.execute(
        "SELECT pair, wearer, signal_id, since FROM wearer_state "
        "WHERE level IS NULL AND (signal_id IS NOT NULL OR since IS NOT NULL)"
    ).fetchall()
    for pair, wearer, signal_id, since in rows:
        named = (
            signal_id is not None
            and db.execute(
                "SELECT 1 FROM events WHERE session_id = ? AND instr(data, ?) LIMIT 1",
                (session_id, signal_id),
            ).fetchone()
        )
        during = since is not None and started <= datetime.fromisoformat(since).timestamp() <= ended
        if named or during:
            db.execute(
                "UPDATE wearer_state SET signal_id = NULL, since = NULL "
                "WHERE pair = ? AND wearer = ?",
                (pair, wearer),
            )
