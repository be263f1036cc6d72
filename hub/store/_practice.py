"""The practice's rows in the store: confirmations, shared-plan changes and feedback.

The rows are plain JSON here; :mod:`hub.practice` validates them. A plan change belongs to
the session it was made in, or (made before one, as an agreement is) to the next session of
the pair; feedback belongs to the session it was given in, or to the pair's latest one
(aftercare comes after the end). Erasing a session erases its rows.

With a partner hub, its wearer's confirmation and plan changes are kept here too (by that
wearer's name), and ``practice_heard`` says how far that wearer's changes have been taken.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from hub.store._store import EventStore

# The pair's latest session, for feedback given after the session ended.
_LATEST_SESSION = "(SELECT id FROM sessions WHERE pair = ? ORDER BY started_at DESC LIMIT 1)"


@dataclass(slots=True)
class PracticeRows:
    """Everything a pair's practice left in the store, oldest first."""

    confirmed: dict[str, str] = field(default_factory=dict)  # wearer -> ISO time
    plan_changes: list[dict[str, Any]] = field(default_factory=list)  # by, at, changes
    feedback: dict[str, dict[str, Any]] = field(default_factory=dict)  # wearer -> latest
    # A partner hub's wearer -> ISO time of the newest plan change of theirs taken.
    heard_through: dict[str, str] = field(default_factory=dict)


def load_practice(store: EventStore, pair: str) -> PracticeRows:
    def read(db: sqlite3.Connection) -> PracticeRows:
        rows = PracticeRows()
        for wearer, at in db.execute(
            "SELECT wearer, at FROM practice_confirmations WHERE pair = ?", (pair,)
        ):
            rows.confirmed[wearer] = at
        for by, at, changes in db.execute(
            "SELECT by_wearer, at, changes FROM practice_plan_changes WHERE pair = ? ORDER BY n",
            (pair,),
        ):
            rows.plan_changes.append({"by": by, "at": at, "changes": json.loads(changes)})
        for wearer, answers in db.execute(
            "SELECT wearer, answers FROM practice_feedback WHERE pair = ? ORDER BY n", (pair,)
        ):
            rows.feedback[wearer] = json.loads(answers)
        for wearer, through in db.execute(
            "SELECT wearer, through FROM practice_heard WHERE pair = ?", (pair,)
        ):
            rows.heard_through[wearer] = through
        return rows

    return store.transaction(read)


def has_practice(store: EventStore, pair: str) -> bool:
    def read(db: sqlite3.Connection) -> bool:
        return any(
            db.execute(f"SELECT 1 FROM {table} WHERE pair = ? LIMIT 1", (pair,)).fetchone()
            for table in ("practice_confirmations", "practice_plan_changes", "practice_feedback")
        )

    return store.transaction(read)


def save_confirmation(store: EventStore, pair: str, wearer: str, at: str) -> None:
    store.write(
        "INSERT INTO practice_confirmations (pair, wearer, at) VALUES (?, ?, ?) "
        "ON CONFLICT (pair, wearer) DO UPDATE SET at = excluded.at",
        (pair, wearer, at),
    )


def forget_confirmation(store: EventStore, pair: str, wearer: str) -> None:
    """``wearer``'s hub no longer says they confirmed (its records were erased)."""
    store.write("DELETE FROM practice_confirmations WHERE pair = ? AND wearer = ?", (pair, wearer))


def save_heard_through(store: EventStore, pair: str, wearer: str, at: str) -> None:
    """``wearer``'s plan changes up to ``at`` have been taken from their hub."""
    store.write(
        "INSERT INTO practice_heard (pair, wearer, through) VALUES (?, ?, ?) "
        "ON CONFLICT (pair, wearer) DO UPDATE SET through = excluded.through",
        (pair, wearer, at),
    )


def save_plan_change(
    store: EventStore, pair: str, by: str, at: str, changes: dict[str, str]
) -> None:
    session = store.current_session
    store.write(
        "INSERT INTO practice_plan_changes (pair, session_id, by_wearer, at, changes) "
        "VALUES (?, ?, ?, ?, ?)",
        (pair, session.id if session is not None else None, by, at, json.dumps(changes)),
    )


def save_feedback(store: EventStore, pair: str, wearer: str, answers: dict[str, Any]) -> None:
    session = store.current_session
    params: tuple[Any, ...] = (pair, wearer, json.dumps(answers))
    if session is not None:
        session_sql, params = "?", (session.id, *params)
    else:
        session_sql, params = _LATEST_SESSION, (pair, *params)
    store.write(
        f"INSERT INTO practice_feedback (session_id, pair, wearer, answers) "
        f"VALUES ({session_sql}, ?, ?, ?)",
        params,
    )
