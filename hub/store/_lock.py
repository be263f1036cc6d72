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
from typing import BinaryIO

from hub.store._files import private_directory


def lock_path(store: Path) -> Path:
    return store.with_name(f"{store.name}.lock")


def _open(store: Path) -> BinaryIO:
    private_directory(store.parent)
    # 0600 like every file of the hub's, though it stays empty.
    fd = os.open(lock_path(store), os.O_RDWR | os.O_CREAT, 0o600)
    return os.fdopen(fd, "r+b")


def hold_open(store: Path) -> BinaryIO:
    """The lock a hub holds while it has ``store`` open; closing the file lets go of it."""
    held = _open(store)
    # Blocking: a command checking for hubs holds the exclusive lock for a moment only.
    fcntl.flock(held, fcntl.LOCK_SH)
    return held


@contextlib.contextmanager
def no_hub_has_it_open(store: Path) -> Iterator[bool]:
    """True (and no hub can open ``store`` until the block ends) when no hub has it open."""
    with _open(store) as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(probe, fcntl.LOCK_UN)
