"""Whether a hub has the event store open: a lock every hub holds while it runs.

Each :class:`~hub.store.EventStore` holds a shared ``flock`` on ``<store>.lock`` until it is
closed; the kernel lets go of it when the process dies, however it dies. Whoever can take the
lock exclusively therefore knows that no hub is recording: a session still open then was
left by a hub that stopped unexpectedly, and may be marked crashed (and erased).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from hub.store._files import private_directory


def lock_path(store: Path) -> Path:
    return store.with_name(f"{store.name}.lock")


def _open(store: Path) -> int:
    private_directory(store.parent)
    # 0600 like every file of the hub's, though it stays empty. A bare descriptor, not a file
    # object: a store left unclosed keeps its lock until the process ends, without a warning.
    return os.open(lock_path(store), os.O_RDWR | os.O_CREAT, 0o600)


def hold_open(store: Path) -> int:
    """The lock a hub holds while it has ``store`` open; ``os.close`` lets go of it."""
    held = _open(store)
    # Blocking: a command checking for hubs holds the exclusive lock for a moment only.
    fcntl.flock(held, fcntl.LOCK_SH)
    return held


@contextlib.contextmanager
def no_hub_has_it_open(store: Path) -> Iterator[bool]:
    """True (and no hub can open ``store`` until the block ends) when no hub has it open."""
    probe = _open(store)
    try:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(probe)  # closing lets go of the lock too
