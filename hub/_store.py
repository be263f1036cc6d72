"""The held-level store the session saves to: the event store, under its older name."""

from hub.store import EventStore as StateStore
from hub.store import SavedState

__all__ = ["SavedState", "StateStore"]
