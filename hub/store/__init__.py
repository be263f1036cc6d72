"""The hub's event store: one SQLite file (WAL) under the data directory.

- :class:`EventStore` writes (through one thread) and reads; it keeps each wearer's held
  level (``load``/``save``, the session's persistence protocol), sessions and their events,
  and the practice's rows (``load_practice``, ``save_*``). One hub holds it at a time
  (:class:`StoreInUseError` for a second).
- :class:`SessionRecorder` listens to the hub's events, records them and starts and ends
  sessions by themselves.
- :class:`StoreReader` reads a store another process may be writing (the CLI).
"""

from hub.store._erase import Erased, SessionStillOpenError, close_abandoned_sessions, erase
from hub.store._files import DATABASE_NAME
from hub.store._lock import StoreInUseError, no_hub_has_it_open
from hub.store._migrate import import_old_files, read_journal
from hub.store._practice import (
    PracticeRows,
    forget_confirmation,
    has_practice,
    load_practice,
    save_confirmation,
    save_feedback,
    save_heard_through,
    save_plan_change,
)
from hub.store._reader import HeartSeries, RmssdSeries, StoreReader, UnknownSessionError
from hub.store._recorder import DEFAULT_IDLE_END_S, SessionRecorder
from hub.store._records import SavedState, SessionInfo, StoredEvent, iso
from hub.store._schema import SCHEMA_VERSION, NewerSchemaError
from hub.store._store import EventStore

__all__ = [
    "DATABASE_NAME",
    "DEFAULT_IDLE_END_S",
    "SCHEMA_VERSION",
    "Erased",
    "EventStore",
    "HeartSeries",
    "NewerSchemaError",
    "PracticeRows",
    "RmssdSeries",
    "SavedState",
    "SessionInfo",
    "SessionRecorder",
    "SessionStillOpenError",
    "StoreInUseError",
    "StoreReader",
    "StoredEvent",
    "UnknownSessionError",
    "close_abandoned_sessions",
    "erase",
    "forget_confirmation",
    "has_practice",
    "import_old_files",
    "iso",
    "load_practice",
    "no_hub_has_it_open",
    "read_journal",
    "save_confirmation",
    "save_feedback",
    "save_heard_through",
    "save_plan_change",
]
