"""Erasing sessions so they are really gone from the file, not just unlisted.

``secure_delete`` overwrites the deleted rows with zeros, ``VACUUM`` rebuilds the file
without the freed pages, and a truncating checkpoint empties the write-ahead log, which
would otherwise still hold copies of the erased pages.
"""

from __future__ import annotations

from pathlib import Path

from hub.store._files import TIMELINES_FOLDER, connect
from hub.store._reader import UnknownSessionError
from hub.store._schema import migrate

# Every table whose rows belong to a session (the practice's plan changes and feedback too).
SESSION_TABLES = ("events", "heart", "rmssd", "practice_plan_changes", "practice_feedback")


def erase(path: Path, session_id: str | None) -> list[str]:
    """Erases one session (or all, with None); returns the ids erased.

    Erasing everything also forgets who confirmed the agreed signals, and which signal set
    each held level and when, but never the level itself: a hub must still come back
    holding a stop it held.
    """
    if not path.exists():
        raise UnknownSessionError(f"{path}: no event store here")
    db = connect(path)
    try:
        migrate(db, path)  # a file from before the practice tables has them now
        db.execute("BEGIN IMMEDIATE")
        if session_id is None:
            ids = [row[0] for row in db.execute("SELECT id FROM sessions")]
            for table in (*SESSION_TABLES, "practice_confirmations", "sessions"):
                db.execute(f"DELETE FROM {table}")
            db.execute("UPDATE wearer_state SET signal_id = NULL, since = NULL WHERE level IS NULL")
        else:
            if not db.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone():
                db.execute("ROLLBACK")
                raise UnknownSessionError(
                    f"{path}: no session {session_id!r} (comfort-hub sessions lists them)"
                )
            ids = [session_id]
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
    return ids
