"""Carrying out what the pair's rules decide, in order, never blocking the event loop.

A wrist on this hub is told first; the save (or an ack's commit) waits for the disk in a
thread, with whatever follows it queued behind it, so nothing is published before it is
durable and the loop goes on meanwhile (the partner's messages, the wearables, the page);
records are kept at once. Until a backlog is done, newer effects queue behind it, except a
wrist's, which is told at once unless an earlier wrist effect waits there too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping

from hub._alerts import played
from hub._events import AlertUndelivered, Confirmed, Refused
from hub._messages import SignalMessage
from hub._ports import Alerter, EventSink, LevelStore, Outbox
from hub.rules import Buzz, Commit, Confirm, Effect, Publish, Record, Save
from signals import CONFIRMATION

# Under the session's name, as before this moved out of it.
log = logging.getLogger("hub._session")


class Effects:
    def __init__(
        self,
        pair_id: str,
        players: Mapping[str, Alerter],
        outbox: Outbox,
        *,
        observer: EventSink,
        store: LevelStore | None,
        clock: Callable[[], float],
    ) -> None:
        self.pair_id = pair_id
        self._players = players
        self._outbox = outbox
        self._observe = observer
        self._store = store
        self._clock = clock
        # Effects waiting behind a durable write made in a thread, so a wrist already told
        # starts playing meanwhile; until they are done, newer effects queue behind them.
        self._backlog: list[Effect] | None = None
        self._draining: asyncio.Task[None] | None = None

    async def settled(self) -> None:
        """Waits until every effect queued behind a save or commit is carried out."""
        while self._draining is not None and not self._draining.done():
            # Shielded: a caller giving up (a timeout) must not cancel the save under way.
            await asyncio.shield(self._draining)

    def carry_out(self, effects: list[Effect]) -> None:
        """Carries ``effects`` out in order (see the module docstring)."""
        if self._backlog is not None:
            # In order, behind what waits for the disk; a wrist is told at once all the same
            # unless an earlier wrist effect waits there too (wrists keep their order).
            backlog = self._backlog
            for effect in effects:
                wrist = isinstance(effect, Buzz | Confirm)
                if wrist and not any(isinstance(e, Buzz | Confirm) for e in backlog):
                    self._carry_out_one(effect)
                else:
                    self._backlog.append(effect)
            return
        wrist_told = False
        for index, effect in enumerate(effects):
            to_disk = isinstance(effect, Save | Commit) and self._store is not None
            if to_disk or (wrist_told and isinstance(effect, Save | Commit | Publish)):
                # A wrist on this hub is being told: the save and the publishes (sealing,
                # and the relay's sender writing to the broker) wait until its alert has
                # started, and the disk waits in a thread, so neither holds up the buzz.
                # With no wrist here to tell, the save (an fsync) still waits in a thread,
                # with the publishes behind it: nothing leaves before it is durable, and the
                # event loop (the partner's messages, the wearables, the page) goes on.
                # Records stay here: whoever asked (a page's resume, say) finds them kept.
                self._backlog = effects[index:]
                self._draining = asyncio.get_running_loop().create_task(self._drain())
                return
            wrist_told |= isinstance(effect, Buzz | Confirm)
            self._carry_out_one(effect)

    async def _drain(self) -> None:
        assert self._backlog is not None
        # The alert's task runs first (it was made first); this turn lets the driver's
        # own write task, which that first step makes, go before the work below too.
        await asyncio.sleep(0)
        while self._backlog:
            effect = self._backlog.pop(0)
            if isinstance(effect, Save | Commit) and self._store is not None:
                try:
                    await asyncio.to_thread(self._carry_out_one, effect)
                except Exception:
                    # A failed disk must not hold back the stop queued behind it (nor every
                    # effect after it): the partner is told all the same.
                    log.exception("saving for %s failed; sending on all the same", self.pair_id)
            else:
                try:
                    self._carry_out_one(effect)
                except Exception:
                    # Nor may a failed record hold back the publishes behind it.
                    log.exception("carrying out %s failed; going on", type(effect).__name__)
        self._backlog = None

    def _carry_out_one(self, effect: Effect) -> None:
        match effect:
            case Save(wearer, saved) if self._store is not None:
                self._store.save(
                    self.pair_id,
                    wearer,
                    saved.level,
                    saved.signal_id,
                    saved.since,
                    saved.next_seq,
                )
            case Commit(wearer, ack) if self._store is not None:
                self._store.save_ack(self.pair_id, wearer, ack.id, ack.at)
            case Publish(wearer, message):
                self._outbox.publish(wearer, message)
            case Buzz(wearer, pattern, None):
                # A notice (the link lost or back): it waits its turn, never cutting short
                # an alert or a confirmation (hub._alerts).
                self._players[wearer].notify_link(pattern)
            case Buzz(wearer, pattern, SignalMessage() as message):
                self._buzz(wearer, self._players[wearer].alert(pattern), message)
            case Confirm(wearer, signal_id, by):
                self._confirmed(wearer, signal_id, by)
            case Record(event):
                if isinstance(event, Refused):
                    log.warning("refused: %s", event.reason)
                self._observe(event)

    def _buzz(self, wearer: str, task: asyncio.Future[bool], message: SignalMessage) -> None:
        def report(done: asyncio.Future[bool]) -> None:
            # A cancelled alert was replaced by a newer one: that is not a failure.
            if not done.cancelled() and not played(done):
                self._observe(AlertUndelivered(wearer, message))

        task.add_done_callback(report)

    def _confirmed(self, wearer: str, signal_id: str, by: str) -> None:
        task = self._players[wearer].confirm(CONFIRMATION)

        def report(done: asyncio.Future[bool]) -> None:
            self._observe(Confirmed(wearer, signal_id, by, self._clock(), played(done)))

        task.add_done_callback(report)
