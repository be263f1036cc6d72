"""Progress for long operations (scan, eval, soak, bench, export), shown only on a terminal.

On a terminal the user sees a bar on stderr; in a pipe, a log file or a test nothing is
written, so the command's own output (a table, JSON) stays clean. tqdm decides which.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Never, TextIO

from tqdm import tqdm

# How often a timed bar moves: smooth to the eye, nothing for the event loop.
_TIMED_REFRESH_S = 0.2


class Progress:
    """One operation's progress: ``advance`` as work is done, ``note`` what is being done."""

    def __init__(self, bar: tqdm[Never]) -> None:
        self._bar = bar

    def advance(self, amount: float = 1) -> None:
        self._bar.update(amount)

    def note(self, text: str) -> None:
        self._bar.set_postfix_str(text, refresh=True)

    @property
    def shown(self) -> bool:
        return not self._bar.disable


@contextlib.contextmanager
def progress(
    description: str,
    *,
    total: float | None = None,
    unit: str = "it",
    stream: TextIO | None = None,
) -> Iterator[Progress]:
    """A bar for work of ``total`` units (None: unknown, a counter is shown instead)."""
    bar: tqdm[Never] = tqdm(
        desc=description,
        total=total,
        unit=unit,
        file=stream or sys.stderr,
        # None: shown only when the stream is a terminal.
        disable=None,
        leave=False,
        dynamic_ncols=True,
    )
    try:
        yield Progress(bar)
    finally:
        bar.close()


@contextlib.asynccontextmanager
async def timed_progress(
    description: str, seconds: float, *, stream: TextIO | None = None
) -> AsyncIterator[Progress]:
    """A bar that fills over ``seconds`` while the body awaits something that long (a scan)."""
    with progress(description, total=round(seconds, 1), unit="s", stream=stream) as shown:
        ticker = asyncio.create_task(_tick(shown, seconds)) if shown.shown else None
        try:
            yield shown
        finally:
            if ticker is not None:
                ticker.cancel()
                await asyncio.gather(ticker, return_exceptions=True)


async def _tick(shown: Progress, seconds: float) -> None:
    start = time.monotonic()
    done = 0.0
    while done < seconds:
        await asyncio.sleep(_TIMED_REFRESH_S)
        now = min(seconds, round(time.monotonic() - start, 1))
        shown.advance(now - done)
        done = now
