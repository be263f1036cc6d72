"""Link supervision as plain arithmetic: has a connected device been quiet for too long?"""

from __future__ import annotations


class SilenceWatch:
    """Tracks one connection's silences against a limit; no clock or timer of its own.

    The caller says when the device was heard (:meth:`heard`) and asks, at times of its
    choosing, whether the silence has just become too long (:meth:`go_stale`). A silence is
    reported once; the next time the device is heard ends it.
    """

    def __init__(self, limit_s: float, now: float) -> None:
        if limit_s <= 0:
            raise ValueError(f"the silence limit must be positive, got {limit_s}")
        self.limit_s = limit_s
        self.last_heard = now
        self.stale = False

    def heard(self, now: float) -> bool:
        """Record that the device spoke at ``now``; True when that ends a stale silence."""
        ended = self.stale
        self.stale = False
        self.last_heard = max(self.last_heard, now)
        return ended

    def silent_for(self, now: float) -> float:
        return max(0.0, now - self.last_heard)

    def seconds_left(self, now: float) -> float:
        """How long until the silence becomes too long (<= 0 once it has)."""
        return self.last_heard + self.limit_s - now

    def go_stale(self, now: float) -> bool:
        """True exactly once per silence: the first time it is checked past the limit."""
        if self.stale or self.seconds_left(now) > 0:
            return False
        self.stale = True
        return True
