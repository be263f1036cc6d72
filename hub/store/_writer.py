"""The one thread that writes to the store, so no write ever blocks the event loop.

Writes are queued and committed in batches. An urgent write (a signal, an ack, a link event)
is committed as soon as the thread wakes, with whatever else is queued; heart rate waits at
most :data:`HEART_BATCH_S` for company, so a hub killed at any moment loses at most that much
of it. :meth:`Writer.call` runs a function in the writer's transaction and waits for its
commit: that is how a level change is made durable before its signal is published.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

log = logging.getLogger(__name__)

# The longest a non-urgent write (heart rate) stays in memory before it is committed.
HEART_BATCH_S = 1.0

T = TypeVar("T")


@dataclass(slots=True)
class _Write:
    sql: str
    params: Sequence[Any]
    urgent: bool
    # Tried when ``params`` break a constraint (their session was erased under the hub):
    # the row is kept outside any session rather than lost.
    fallback: Sequence[Any] | None = None


@dataclass(slots=True)
class _Call:
    function: Callable[[sqlite3.Connection], Any]
    # False: run outside any transaction (VACUUM cannot run inside one).
    in_transaction: bool = True
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class _Stop:
    pass


class WriterClosedError(RuntimeError):
    """A write after the store was closed."""


class Writer:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._queue: queue.SimpleQueue[_Write | _Call | _Stop] = queue.SimpleQueue()
        self._closed = False
        # What went wrong already, so a failure repeated every second is logged once.
        self._reported: set[str] = set()
        self._thread = threading.Thread(target=self._run, name="comfort-hub-store", daemon=True)
        self._thread.start()

    def write(
        self,
        sql: str,
        params: Sequence[Any],
        *,
        urgent: bool = True,
        fallback: Sequence[Any] | None = None,
    ) -> None:
        """Queues a write; returns at once. ``fallback`` is tried if ``params`` fail."""
        if self._closed:
            raise WriterClosedError("the event store is closed")
        self._queue.put(_Write(sql, params, urgent, fallback))

    def call(
        self, function: Callable[[sqlite3.Connection], T], *, in_transaction: bool = True
    ) -> T:
        """Runs ``function`` after everything queued, commits, and returns its result."""
        if self._closed:
            raise WriterClosedError("the event store is closed")
        call = _Call(function, in_transaction)
        self._queue.put(call)
        call.done.wait()
        if call.error is not None:
            raise call.error
        result: T = call.result
        return result

    def flush(self) -> None:
        """Waits until everything queued so far is committed."""
        self.call(lambda _db: None)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(_Stop())
        self._thread.join()

    def _run(self) -> None:
        open_since: float | None = None  # when the uncommitted transaction began
        while True:
            timeout = None if open_since is None else open_since + HEART_BATCH_S - time.monotonic()
            try:
                item = self._queue.get(timeout=max(0.0, timeout) if timeout is not None else None)
            except queue.Empty:
                self._commit()
                open_since = None
                continue
            batch = [item]
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            commit_now = False
            for entry in batch:
                if isinstance(entry, _Call) and not entry.in_transaction:
                    self._commit()
                    open_since = None
                elif open_since is None:
                    self._db.execute("BEGIN")
                    open_since = time.monotonic()
                if isinstance(entry, _Stop):
                    self._commit()
                    self._db.close()
                    return
                if isinstance(entry, _Write):
                    commit_now |= entry.urgent
                    self._execute(entry)
                else:
                    commit_now = True
                    try:
                        entry.result = entry.function(self._db)
                    except BaseException as error:
                        entry.error = error
            if commit_now:
                self._commit()
                open_since = None
            for entry in batch:
                if isinstance(entry, _Call):
                    entry.done.set()

    def _execute(self, write: _Write) -> None:
        """One write; a failure is logged (once per kind) and never stops later writes."""
        what = write.sql.split("(")[0].strip()
        try:
            self._db.execute(write.sql, write.params)
            return
        except sqlite3.IntegrityError as error:
            if write.fallback is None:
                self._report(what, error)
                return
            self._report(what, error, "kept outside any session")
        except sqlite3.Error as error:
            self._report(what, error)
            return
        try:
            self._db.execute(write.sql, write.fallback)
        except sqlite3.Error as error:
            self._report(what, error)

    def _report(self, what: str, error: sqlite3.Error, outcome: str = "lost") -> None:
        key = f"{what}: {error}"
        if key not in self._reported:
            self._reported.add(key)
            log.error(
                "could not store %s (%s): %s; further ones are not logged", what, error, outcome
            )

    def _commit(self) -> None:
        if self._db.in_transaction:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error:
                log.exception("could not commit the event store")
                self._db.execute("ROLLBACK")
