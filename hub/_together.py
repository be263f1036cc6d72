"""Several jobs run as one, without a TaskGroup (see :func:`together`)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


async def together(*jobs: Coroutine[Any, Any, None]) -> None:
    """Runs ``jobs`` until one fails (its error is raised, the others cancelled) or this task
    is cancelled (the cancellation is raised, always).

    Not a TaskGroup: on Python 3.11 a TaskGroup whose child fails just as its own task is
    cancelled raises the child's error and drops the cancellation, so a hub told to stop at
    the moment its broker went away took the error for a lost broker and reconnected forever.
    """
    tasks = [asyncio.create_task(job) for job in jobs]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
    for task in tasks:
        if not task.cancelled() and (error := task.exception()) is not None:
            raise error
