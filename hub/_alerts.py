"""Plays patterns on one wearer's wrist, in an order that loses nothing the wearer must feel.

Three kinds of pattern reach a wrist, and they do not weigh the same:

- an **alert**: the partner's signal (slow down, pause, stop, resume, check in) or a re-alert
  of one still waiting. It plays at once: a stop never waits. A newer alert replaces an older
  one not yet felt in full (the newer one is the partner's level now, and a pause or stop is
  alerted again until acknowledged);
- a **confirmation** ("your partner noticed"): it never cuts anything short, so it is never
  mistaken for part of another pattern, and it is never dropped: cut short by an alert, it
  plays again, whole, after it; not reaching the wearable (out of range, a failed write), it
  is tried again once the wearable is back, for up to :data:`CONFIRM_RETRY_FOR_S`;
- a **notice** (the link to the partner lost or back, the hub going, a practice pulse): it
  waits its turn like a confirmation and, cut short by an alert, plays again after it. Of
  the link's notices only the latest state counts: one still waiting and a newer one (the
  opposite state) cancel out, so a flapping link never piles notices up on the wrist.

So, in each interleaving, the wearer feels:

==========================  =====================  ==============================================
playing or waiting          then comes             the wearer feels
==========================  =====================  ==============================================
a stop alert                a confirmation         the whole stop, a short gap, the confirmation
a confirmation              a stop alert           the stop at once, then the confirmation again
a confirmation              link lost or restored  the confirmation, then the link notice
a link notice               a confirmation         the link notice, then the confirmation
a link notice               a stop alert           the stop at once, then the link notice again
a stop alert                a link notice          the whole stop, then the link notice
a pause alert               a stop alert           the stop at once (the pause is not replayed)
a stop alert                the goodbye            the whole stop, then the goodbye
a confirmation (waiting)    the goodbye            the confirmation, then the goodbye
the goodbye                 a stop alert           the stop at once, then the goodbye again
==========================  =====================  ==============================================

What waits plays in the order it came, with :data:`FELT_APART_S` between two patterns so
that each is felt as itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from signals import HapticPattern

PlayFn = Callable[[HapticPattern], Coroutine[Any, Any, bool]]

# A pause between two patterns, after the last pulse of the first: long enough that a
# confirmation after a stop is not felt as a fourth pulse of the stop.
FELT_APART_S = 0.3
# How long a confirmation that could not reach the wearable is tried again: the link
# reconnects within seconds when the wearable is in range; much later, "your partner
# noticed" would be news of a moment long past.
CONFIRM_RETRY_FOR_S = 60.0
# Between two tries of a confirmation that did not reach the wearable, when the link
# cannot say when it is back.
CONFIRM_RETRY_EVERY_S = 1.0


class _Kind(enum.Enum):
    ALERT = "alert"
    CONFIRMATION = "confirmation"
    NOTICE = "notice"
    # The link to the partner lost or back: a notice of which only the latest state counts.
    LINK = "link"


@dataclass(eq=False)
class _Request:
    pattern: HapticPattern
    kind: _Kind
    done: asyncio.Future[bool] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    # For a confirmation: until when it is tried again.
    retry_until: float = 0.0
    # For an alert: its play, started when it was asked for (see AlertPlayer.alert).
    started: asyncio.Task[bool] | None = None


class AlertPlayer:
    """One wrist's patterns, one at a time (see the module docstring for the order).

    Each call returns a future that ends True once the pattern reached the wearable, False
    when it could not, and is cancelled when a newer alert replaced it. ``connected``, when
    given, is set while the wearable is connected: a confirmation is tried again when it is.
    """

    def __init__(
        self,
        play: PlayFn,
        *,
        connected: asyncio.Event | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._play = play
        self._connected = connected
        self._clock = clock
        self._alert: _Request | None = None
        self._waiting: deque[_Request] = deque()
        self._playing: _Request | None = None
        self._play_task: asyncio.Task[bool] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        # Confirmations waiting to be tried again, by the task that waits.
        self._retries: dict[asyncio.Task[None], _Request] = {}

    # -- asking ---------------------------------------------------------------------------

    def alert(self, pattern: HapticPattern) -> asyncio.Future[bool]:
        """The partner's signal: at once, cutting short whatever plays.

        Its play starts here, not when the worker next comes round: that would be two more
        turns of the event loop (the worker waking, then the play's task starting), in which
        whatever else is ready (the partner's next message, say) runs first. A pattern cut
        short ends in its driver, which keeps the device's commands whole and in order.
        """
        request = _Request(pattern, _Kind.ALERT)
        if self._alert is not None:
            self._replaced(self._alert)
        if self._play_task is not None and not self._play_task.done():
            self._play_task.cancel()
        request.started = asyncio.get_running_loop().create_task(self._play(pattern))
        self._alert = request
        self._start()
        return request.done

    def confirm(self, pattern: HapticPattern) -> asyncio.Future[bool]:
        """A confirmation: after what plays and waits, never dropped, tried again."""
        request = _Request(pattern, _Kind.CONFIRMATION)
        request.retry_until = self._clock() + CONFIRM_RETRY_FOR_S
        return self._queue(request)

    def notify(self, pattern: HapticPattern) -> asyncio.Future[bool]:
        """A notice: after what plays and waits."""
        return self._queue(_Request(pattern, _Kind.NOTICE))

    def notify_link(self, pattern: HapticPattern) -> asyncio.Future[bool]:
        """The link to the partner lost or back: a notice, except that it and a link notice
        still waiting cancel out (both futures end False). Lost and back alternate, so the
        two say the link is as the wearer last felt it: a broker flapping twenty times
        while a stop plays leaves nothing queued, instead of forty notices that keep a
        confirmation waiting for a minute."""
        waiting = next((r for r in self._waiting if r.kind is _Kind.LINK), None)
        if waiting is None:
            return self._queue(_Request(pattern, _Kind.LINK))
        self._waiting.remove(waiting)
        waiting.done.set_result(False)
        cancelled: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        cancelled.set_result(False)
        return cancelled

    @property
    def backlog_s(self) -> float:
        """At most how long what plays and waits now takes to be felt (a wearable that takes
        its writes at once): how long a pattern asked for now may wait."""
        ahead = [r for r in (self._playing, self._alert) if r is not None]
        return sum(_felt_s(r.pattern) for r in (*ahead, *self._waiting))

    async def close(self) -> None:
        """Stops playing; what waits is given up (its future cancelled)."""
        asked = (self._playing, self._alert, *self._waiting, *self._retries.values())
        given_up = [r for r in asked if r is not None]
        started = self._alert.started if self._alert is not None else None
        self._alert = None
        self._waiting.clear()
        tasks = [
            t for t in (self._worker, self._play_task, started, *self._retries) if t is not None
        ]
        for task in tasks:
            task.cancel()
        # gather, not awaiting each under suppress(CancelledError): a cancellation of close()
        # itself must still reach its caller (a hub stopping must not hang here).
        await asyncio.gather(*tasks, return_exceptions=True)
        for request in given_up:
            request.done.cancel()

    # -- playing ----------------------------------------------------------------------------

    def _queue(self, request: _Request) -> asyncio.Future[bool]:
        self._waiting.append(request)
        self._start()
        return request.done

    def _start(self) -> None:
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._work())

    def _next(self) -> _Request | None:
        if self._alert is not None:
            request, self._alert = self._alert, None
            return request
        return self._waiting.popleft() if self._waiting else None

    async def _work(self) -> None:
        while True:
            self._wake.clear()
            request = self._next()
            if request is None:
                await self._wake.wait()
                continue
            if request.done.done():
                if request.started is not None:
                    request.started.cancel()
                continue  # given up by whoever asked
            felt = await self._play_one(request)
            if felt and self._alert is None and self._waiting:
                await self._apart(request.pattern)

    async def _play_one(self, request: _Request) -> bool:
        self._playing = request
        task = request.started or asyncio.get_running_loop().create_task(
            self._play(request.pattern)
        )
        self._play_task = task
        try:
            await asyncio.wait([task])
        finally:
            self._playing = None
            if self._play_task is task:
                self._play_task = None
        if task.cancelled():
            if request.kind is _Kind.ALERT:
                request.done.cancel()  # replaced by a newer alert
            else:
                self._waiting.appendleft(request)  # cut short by an alert: again, whole, after
            return False
        felt = task.exception() is None and task.result()
        if felt or request.kind is not _Kind.CONFIRMATION or self._clock() >= request.retry_until:
            if not request.done.done():
                request.done.set_result(felt)
        else:
            self._retry_later(request)
        return felt

    def _replaced(self, request: _Request) -> None:
        """An alert not yet taken up by the worker, replaced by a newer one."""
        request.done.cancel()
        if request.started is not None:
            request.started.cancel()

    async def _apart(self, pattern: HapticPattern) -> None:
        """Waits out the pattern's last pulse and a gap, unless an alert comes meanwhile."""
        last = pattern.pulses[-1]
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(last.on_ms / 1000 + FELT_APART_S):
                while self._alert is None:
                    self._wake.clear()
                    await self._wake.wait()

    def _retry_later(self, request: _Request) -> None:
        async def again() -> None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, request.retry_until - self._clock())):
                    await asyncio.sleep(CONFIRM_RETRY_EVERY_S)
                    if self._connected is not None:
                        await self._connected.wait()
            self._queue(request)

        task = asyncio.get_running_loop().create_task(again())
        self._retries[task] = request
        task.add_done_callback(self._retries.pop)


def _felt_s(pattern: HapticPattern) -> float:
    return pattern.duration_ms / 1000 + pattern.pulses[-1].on_ms / 1000 + FELT_APART_S


def played(task: asyncio.Future[bool]) -> bool:
    """True when a finished play reached the device."""
    return not task.cancelled() and task.exception() is None and task.result()
