"""Where the hub keeps its data: a private directory and SQLite files only the user can read."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

DATABASE_NAME = "comfort-hub.sqlite3"
# Timelines the hub exports by itself (the demo's) go beside the store, erased with it.
TIMELINES_FOLDER = "timelines"
# How long a second connection (a CLI reading or erasing while the hub runs) waits for the
# writer's lock before giving up with an error.
BUSY_TIMEOUT_MS = 10_000


def private_directory(path: Path) -> Path:
    """Creates ``path`` (and parents) and makes it 0700: intimate data stays the user's."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, files 0600."""
    private_directory(path.parent)
    # The umask decides the mode SQLite creates its files with (the -wal and -shm too).
    previous = os.umask(0o077)
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed level is on disk before the signal that set it is published.
        db.execute("PRAGMA synchronous=FULL")
        # Deleted rows are overwritten with zeros, so an erased session is not in the file.
        db.execute("PRAGMA secure_delete=ON")
        db.execute("PRAGMA foreign_keys=ON")
    finally:
        os.umask(previous)
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        candidate = path.with_name(name)
        if candidate.exists():
            candidate.chmod(0o600)
    return db
