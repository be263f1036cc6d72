"""The store's schema, versioned: ``PRAGMA user_version`` names the last migration applied.

A migration is appended, never edited: a hub opening an older file runs the ones it lacks,
in one transaction each.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

MIGRATIONS: tuple[str, ...] = (
    # 1: the held levels (as the old state file had them), sessions, events and heart rate.
    """
    CREATE TABLE IF NOT EXISTS wearer_state (
        pair TEXT NOT NULL,
        wearer TEXT NOT NULL,
        level TEXT,
        signal_id TEXT,
        since TEXT,
        next_seq INTEGER NOT NULL,
        PRIMARY KEY (pair, wearer)
    );
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        pair TEXT NOT NULL,
        wearers TEXT NOT NULL,          -- JSON list
        devices TEXT NOT NULL,          -- JSON object wearer -> device
        demo INTEGER NOT NULL,
        started_at REAL NOT NULL,       -- Unix seconds
        started_by TEXT NOT NULL,
        ended_at REAL,
        ended_by TEXT
    );
    CREATE TABLE events (
        n INTEGER PRIMARY KEY,
        session_id TEXT REFERENCES sessions (id) ON DELETE CASCADE,
        at REAL NOT NULL,
        kind TEXT NOT NULL,
        wearer TEXT,
        data TEXT NOT NULL              -- JSON object
    );
    CREATE INDEX events_by_session ON events (session_id, at);
    CREATE TABLE heart (
        session_id TEXT REFERENCES sessions (id) ON DELETE CASCADE,
        wearer TEXT NOT NULL,
        at REAL NOT NULL,
        bpm REAL NOT NULL
    );
    CREATE INDEX heart_by_session ON heart (session_id, at);
    CREATE TABLE rmssd (
        session_id TEXT REFERENCES sessions (id) ON DELETE CASCADE,
        wearer TEXT NOT NULL,
        at REAL NOT NULL,               -- end of the window
        window_s REAL NOT NULL,
        rmssd_ms REAL NOT NULL
    );
    CREATE INDEX rmssd_by_session ON rmssd (session_id, at);
    CREATE TABLE imported_journals (name TEXT PRIMARY KEY);
    """,
    # 2: the practice (was ``<pair>-practice.json``): who confirmed the agreed signals, every
    # change to the shared plan (the plan is their sum) and aftercare feedback. Plan changes
    # and feedback belong to a session, so erasing the session erases them.
    """
    CREATE TABLE practice_confirmations (
        pair TEXT NOT NULL,
        wearer TEXT NOT NULL,
        at TEXT NOT NULL,               -- ISO 8601
        PRIMARY KEY (pair, wearer)
    );
    CREATE TABLE practice_plan_changes (
        n INTEGER PRIMARY KEY,
        pair TEXT NOT NULL,
        session_id TEXT REFERENCES sessions (id) ON DELETE CASCADE,
        by_wearer TEXT NOT NULL,
        at TEXT NOT NULL,               -- ISO 8601
        changes TEXT NOT NULL           -- JSON object field -> new value
    );
    CREATE INDEX practice_plan_changes_by_pair ON practice_plan_changes (pair, n);
    CREATE TABLE practice_feedback (
        n INTEGER PRIMARY KEY,
        pair TEXT NOT NULL,
        session_id TEXT REFERENCES sessions (id) ON DELETE CASCADE,
        wearer TEXT NOT NULL,
        answers TEXT NOT NULL           -- JSON: the Feedback, private answers included
    );
    CREATE INDEX practice_feedback_by_pair ON practice_feedback (pair, n);
    """,
    # 3: each wearer's last acknowledgement, committed before it is published: a hub killed
    # before the broker had it says it again at its next start.
    """
    CREATE TABLE last_acks (
        pair TEXT NOT NULL,
        wearer TEXT NOT NULL,
        id TEXT NOT NULL,               -- the acknowledged signal's id
        at TEXT NOT NULL,               -- ISO 8601, when the wearer noticed
        PRIMARY KEY (pair, wearer)
    );
    """,
    # 4: with a partner hub, how far its wearer's plan changes have been taken: the time of the
    # newest one taken, so a change erased here is not taken again from its retained copy.
    """
    CREATE TABLE practice_heard (
        pair TEXT NOT NULL,
        wearer TEXT NOT NULL,
        through TEXT NOT NULL,          -- ISO 8601, the partner's clock
        PRIMARY KEY (pair, wearer)
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


class NewerSchemaError(RuntimeError):
    """The file was written by a newer comfort-hub; opening it could damage it."""


def migrate(db: sqlite3.Connection, path: Path) -> None:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"{path}: schema version {version} is newer than this comfort-hub knows "
            f"({SCHEMA_VERSION}); upgrade comfort-hub"
        )
    for number in range(version, SCHEMA_VERSION):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[number].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version={number + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
