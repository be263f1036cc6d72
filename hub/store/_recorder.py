"""Hub events into the store, and sessions that start and end by themselves.

A session starts when every local wearable is connected (or at the first signal, so a signal
never falls outside a session) and ends when all of them have been gone for
``idle_end_s``. Started or ended explicitly, it stays as the person chose until the next
explicit change or link event says otherwise.

The recorder also keeps the open session's events in memory, numbered, so a page that opens
mid-session gets the history and then live events with no gap and no repeat.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from firmware_bridge import LinkState
from hub._event_json import event_json
from hub._events import (
    AckSent,
    HeartRate,
    HubEvent,
    LinkChanged,
    PartnerAlerted,
    SignalSent,
)
from hub.store._heart import HeartSampler, HeartSecond
from hub.store._records import SessionInfo
from hub.store._store import EventStore

# Both wearables gone this long ends the session by itself.
DEFAULT_IDLE_END_S = 300.0
# Events kept for a page opening mid-session; far more than an evening produces.
FEED_KEPT = 5000

FeedListener = Callable[[dict[str, Any]], None]


class SessionRecorder:
    def __init__(
        self,
        store: EventStore,
        pair: str,
        wearers: tuple[str, ...],
        *,
        local_wearers: tuple[str, ...] | None = None,
        devices: Mapping[str, str] | None = None,
        demo: bool = False,
        auto: bool = True,
        idle_end_s: float = DEFAULT_IDLE_END_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.pair = pair
        self.wearers = wearers
        self._local = set(local_wearers or wearers)
        self._devices = dict(devices or {})
        self._demo = demo
        self._auto = auto
        self._idle_end_s = idle_end_s
        self._clock = clock
        self._connected: set[str] = set()
        self._all_gone_since: float | None = None
        self._heart: dict[str, HeartSampler] = {}
        self._feed: list[dict[str, Any]] = []
        self._numbers = 0
        self._listeners: list[FeedListener] = []
        # When the first event outside any session was recorded: the next session takes it.
        self._outside_since: float | None = None

    # -- sessions --------------------------------------------------------------------------

    @property
    def session(self) -> SessionInfo | None:
        return self.store.current_session

    def start(self, started_by: str = "explicit") -> SessionInfo:
        session = self.store.start_session(
            self.pair,
            self.wearers,
            devices=self._devices,
            demo=self._demo,
            started_by=started_by,
            adopt_since=self._outside_since,
        )
        self._outside_since = None
        self._announce({"type": "session", "state": "started", "session": session.id})
        return session

    def end(self, ended_by: str = "explicit") -> SessionInfo | None:
        ended = self.store.end_session(ended_by)
        if ended is not None:
            self._announce({"type": "session", "state": "ended", "session": ended.id})
            self._feed = []
        return ended

    def tick(self) -> None:
        """Time-driven rule: all wearables gone long enough ends the session."""
        if (
            self._auto
            and self.session is not None
            and self._all_gone_since is not None
            and self._clock() - self._all_gone_since >= self._idle_end_s
        ):
            self.end("wearables gone")

    # -- the page's feed -------------------------------------------------------------------

    def feed_since(self, listener: FeedListener) -> tuple[list[dict[str, Any]], Callable[[], None]]:
        """The open session's events so far, and ``listener`` called with each one after."""
        self._listeners.append(listener)
        return list(self._feed), lambda: self._listeners.remove(listener)

    def _announce(self, record: dict[str, Any]) -> None:
        self._numbers += 1
        record = {**record, "n": self._numbers, "time": record.get("time", self._clock())}
        self._feed.append(record)
        del self._feed[:-FEED_KEPT]
        for listener in list(self._listeners):
            listener(record)

    # -- from the bus ----------------------------------------------------------------------

    def __call__(self, event: HubEvent) -> None:
        now = self._clock()
        if isinstance(event, LinkChanged):
            self._link(event, now)
        elif (
            self._auto
            and self.session is None
            and isinstance(event, SignalSent | PartnerAlerted | AckSent)
        ):
            self.start("signal")
        if isinstance(event, HeartRate):
            self._heart_rate(event, now)
            return
        if self.session is None and self._outside_since is None:
            self._outside_since = now
        record = event_json(event)
        kind = record.pop("type")
        wearer = record.pop("wearer", None)
        self.store.record(kind, record, wearer=wearer, at=now)
        self._announce({"type": kind, "wearer": wearer, **record, "time": now})

    def _link(self, event: LinkChanged, now: float) -> None:
        if event.event.state in (LinkState.CONNECTED, LinkState.RESTORED):
            self._connected.add(event.wearer)
        elif event.event.state == LinkState.LOST:
            self._connected.discard(event.wearer)
        if self._connected:
            self._all_gone_since = None
        elif self._all_gone_since is None:
            self._all_gone_since = now
        if self._auto and self.session is None and self._connected >= self._local:
            self.start("wearables connected")

    def _heart_rate(self, event: HeartRate, now: float) -> None:
        if self.session is None and self._outside_since is None:
            self._outside_since = now
        sampler = self._heart.setdefault(event.wearer, HeartSampler())
        reading = event.reading
        for sample in sampler.feed(now, reading.bpm, reading.rr_ms):
            if isinstance(sample, HeartSecond):
                self.store.record_heart(event.wearer, sample.at, sample.bpm)
            else:
                self.store.record_rmssd(event.wearer, sample.at, sample.window_s, sample.rmssd_ms)
