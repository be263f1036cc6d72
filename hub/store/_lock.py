"""Who has the data folder: a lock a running hub holds alone.

A hub holds an exclusive ``flock`` on ``<store>.lock`` from the moment it opens its
:class:`~hub.store.EventStore` until it closes it; the kernel lets go of it when the process
dies, however it dies. So a second hub on the same folder (the same configuration started
twice, whose MQTT client id would knock the first hub off the broker, and whose start would
mark the first hub's session crashed) cannot take it and refuses to start, naming the folder.

A command that must know that no hub is recording (``erase`` ending the sessions a dead hub
left open) takes the lock shared, for a moment. Readers (timeline, sessions) take no lock:
SQLite's write-ahead log gives them a consistent snapshot while a hub writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from hub.store._files import private_directory

# While a command holds the lock shared (for the moment it takes to end abandoned
# sessions), a starting hub looks again this often rather than calling the folder taken.
RETRY_INTERVAL_S = 0.05


class StoreInUseError(RuntimeError):
    """Another hub has this data folder (and its event store) open."""


def lock_path(store: Path) -> Path:
    return store.with_name(f"{store.name}.lock")


def _open(store: Path) -> int:
    private_directory(store.parent)
    # 0600 like every file of the hub's, though it stays empty. A bare descriptor, not a file
    # object: a store left unclosed keeps its lock until the process ends, without a warning.
    return os.open(lock_path(store), os.O_RDWR | os.O_CREAT, 0o600)


def hold_for_hub(store: Path) -> int:
    """The lock a hub holds while it has ``store`` open; ``os.close`` lets go of it.

    Raises :class:`StoreInUseError` when another hub holds it.
    """
    held = _open(store)
    try:
        while True:
            with contextlib.suppress(BlockingIOError):
                fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return held
            # Taken: by a hub (exclusively), or by a command for a moment (shared)? Only a
            # hub's exclusive lock refuses a shared one.
            try:
                fcntl.flock(held, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreInUseError(
                    f"data folder {store.parent} is in use by another hub (the same "
                    "configuration started twice?): stop that hub, or give this one another "
                    "data_dir"
                ) from None
            fcntl.flock(held, fcntl.LOCK_UN)
            time.sleep(RETRY_INTERVAL_S)
    except BaseException:
        os.close(held)
        raise


@contextlib.contextmanager
def no_hub_has_it_open(store: Path) -> Iterator[bool]:
    """True (and no hub can open ``store`` until the block ends) when no hub has it open."""
    probe = _open(store)
    try:
        try:
            fcntl.flock(probe, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(probe)  # closing lets go of the lock too
