"""Reconnect delays: capped exponential backoff with jitter, a pure function of the attempt."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    # The first retry is quick: most drops are a moment of interference, and every second
    # without a link is a second the partner is told to pause.
    first_s: float = 0.5
    # Capped low for the same reason; a wearable back in range is found within this.
    max_s: float = 10.0
    factor: float = 2.0
    # Up to this fraction of a delay is random, so two wearables do not retry in lockstep.
    jitter: float = 0.2

    def delay(self, failures: int, rng: random.Random | None = None) -> float:
        """The wait before the next attempt after ``failures`` consecutive failures (>= 1)."""
        base = min(self.max_s, self.first_s * self.factor ** max(0, failures - 1))
        spread = base * self.jitter
        return base - spread * (rng or random).random()
