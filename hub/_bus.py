"""Fans session events out to whoever listens (console, web page, store)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from hub._events import HubEvent

log = logging.getLogger(__name__)


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Callable[[HubEvent], None]] = []

    def subscribe(self, listener: Callable[[HubEvent], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def publish(self, event: HubEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                # A failing listener (a closed page) must not keep events from the others.
                log.exception("event listener failed on %s", type(event).__name__)
