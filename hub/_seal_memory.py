"""What a hub's message seal remembers across restarts: the counters it used and heard.

Sent: a hub's counter is the time in microseconds, never lower than one more than the last it
used, so it rises across restarts. The data directory keeps a reservation ahead of the
counters used (written when they reach it), so a hub that crashed never uses one twice.

Heard: per topic, the highest counter accepted and its MAC (or ciphertext digest). It is
written at once for every topic but the frequent ones (heartbeats, which come every second):
those at most every ``SAVE_INTERVAL_S``, and at a clean shutdown (:meth:`SealMemory.close`).
After a crash their memory may lag by that much, so it is taken as ``FREQUENT_LAG_S``
further on: a beat heard just before the crash is not accepted again.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from hub._private_files import PrivateFileError, write_private

log = logging.getLogger(__name__)

# Heartbeats' memory is written at most this often: every beat would be 2-3 writes a second.
SAVE_INTERVAL_S = 2.0
# After a crash, the heartbeats' memory is taken this far on (the unsaved beats came within
# SAVE_INTERVAL_S, give or take a second of delay): under the 3 s after which a silent hub
# counts as gone, so a hub restarting at once never misses enough beats to call it gone.
FREQUENT_LAG_S = SAVE_INTERVAL_S + 0.5
# Counters are reserved on disk this far ahead (10 s of time-based counters): one write per
# ten seconds of sending, and a crashed hub's next counter still above all it used.
SENT_RESERVE_US = 10_000_000


class SealMemory:
    """The counters of one seal, kept in ``path`` (or in memory only, with no path)."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._last_sent = 0
        # Kept on disk instead of the last counter: none up to it is ever used again.
        self._sent_reserved = 0
        # topic -> (highest accepted counter, its MAC or ciphertext digest)
        self._heard: dict[str, tuple[int, str]] = {}
        # Topics heard every second (heartbeats), whose memory is written at most every
        # SAVE_INTERVAL_S.
        self._frequent: set[str] = set()
        self._saved_at = 0.0
        self._load()

    def next_counter(self) -> int:
        """A counter higher than any this hub used, even before a crash."""
        self._last_sent = max(self._last_sent + 1, time.time_ns() // 1000)
        if self._last_sent > self._sent_reserved:
            self._sent_reserved = self._last_sent + SENT_RESERVE_US
            self._save()
        return self._last_sent

    def last_heard(self, topic: str) -> tuple[int, str] | None:
        """The highest counter accepted on ``topic`` and its tag, if any was."""
        return self._heard.get(topic)

    def remember(self, topic: str, counter: int, tag: str, *, frequent: bool) -> None:
        """``counter`` (with ``tag``) is now the highest accepted on ``topic``."""
        if self._heard.get(topic) == (counter, tag):
            return  # the last accepted message again: a redelivery or retained copy
        self._heard[topic] = (counter, tag)
        if frequent:
            self._frequent.add(topic)
            if time.monotonic() - self._saved_at < SAVE_INTERVAL_S:
                return  # written with the next save, or at close
        self._save()

    def close(self) -> None:
        """At a clean shutdown: the memory as it is, marked complete."""
        self._save(clean=True)

    def _load(self) -> None:
        if self._path is None:
            return
        try:
            state = json.loads(self._path.read_text(encoding="utf-8"))
            self._last_sent = self._sent_reserved = int(state["sent"])
            self._heard = {t: (int(c), str(m)) for t, (c, m) in state["heard"].items()}
            self._frequent = {str(t) for t in state.get("frequent", [])}
            clean = state.get("clean") is True
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError) as error:
            # Starting afresh only weakens replay checks until the next message; say so.
            log.warning("%s: unreadable counters (%s); starting afresh", self._path, error)
            return
        if not clean:
            # A crash: beats heard after the last write are not remembered, but were heard.
            lag_us = int(FREQUENT_LAG_S * 1e6)
            for topic in self._frequent & self._heard.keys():
                counter, tag = self._heard[topic]
                self._heard[topic] = (counter + lag_us, tag)

    def _save(self, *, clean: bool = False) -> None:
        self._saved_at = time.monotonic()
        if self._path is None:
            return
        state = {
            "sent": self._sent_reserved,
            "heard": {t: list(v) for t, v in self._heard.items()},
            "frequent": sorted(self._frequent),
            # Written only at a clean shutdown: otherwise the frequent topics' memory may lag.
            "clean": clean,
        }
        try:
            write_private(self._path, json.dumps(state).encode())
        except PrivateFileError as error:
            # Sealing must go on (a stop must leave); the counter is time-based meanwhile.
            log.warning("%s", error)
