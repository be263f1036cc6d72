"""Plays alert patterns on one wearer's device: a newer alert replaces the one playing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from signals import HapticPattern

PlayFn = Callable[[HapticPattern], Coroutine[Any, Any, bool]]


class AlertPlayer:
    """Alerts replace each other at once (a stop never waits for a slow_down to finish);
    a confirmation waits for the alert in progress, so it is never mistaken for part of it.
    """

    def __init__(self, play: PlayFn) -> None:
        self._play = play
        self._current: asyncio.Task[bool] | None = None

    def alert(self, pattern: HapticPattern) -> asyncio.Task[bool]:
        if self._current is not None and not self._current.done():
            self._current.cancel()
        self._current = asyncio.create_task(self._play(pattern))
        return self._current

    def confirm(self, pattern: HapticPattern) -> asyncio.Task[bool]:
        previous = self._current
        self._current = asyncio.create_task(self._after(previous, pattern))
        return self._current

    async def _after(self, previous: asyncio.Task[bool] | None, pattern: HapticPattern) -> bool:
        if previous is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(previous)
        return await self._play(pattern)

    async def close(self) -> None:
        if self._current is not None:
            self._current.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._current


def played(task: asyncio.Task[bool]) -> bool:
    """True when a finished play task reached the device."""
    return not task.cancelled() and task.exception() is None and task.result()
