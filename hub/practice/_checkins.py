"""Check-ins: now and then a gentle pulse to both wrists, answered by one tap.

Off unless the pair turns them on. One tap, with no second tap after it, answers "all good";
more taps are a signal, which goes out as ever and answers nothing. When the time to answer
passes, an unanswered wearer is shown as "no answer" and NOTHING else happens: silence is
never turned into a pause or a stop (a wearer may be asleep, or simply not want to tap).

Pure and clock-free, like the session's rules: gestures and ``now`` in, effects out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from signals import HapticPattern, InputEvent, InputKind, Pulse

# Softer and slower than any signal's pattern, so it is never mistaken for the partner's.
CHECK_IN_PULSE = HapticPattern("practice_check_in", (Pulse(200, 300, 0.3), Pulse(200, 0, 0.3)))
# Long enough to notice a soft pulse and lift a finger, without keeping it open all evening.
ANSWER_WINDOW_S = 30.0
# Shortest interval a pair may choose: more often than this is no longer gentle.
SHORTEST_INTERVAL_S = 60.0


@dataclass(frozen=True, slots=True)
class PulseBoth:
    check_in_id: str


@dataclass(frozen=True, slots=True)
class Answered:
    check_in_id: str
    wearer: str
    answer: str  # "all_good" or "no_answer"


CheckInEffect = PulseBoth | Answered


@dataclass
class _Open:
    id: str
    opened_at: float
    answers: dict[str, str] = field(default_factory=dict)
    # A lone tap waiting to see whether more taps follow (then it was a signal).
    lone_tap_at: dict[str, float] = field(default_factory=dict)


class CheckIns:
    def __init__(
        self,
        wearers: tuple[str, ...],
        *,
        tap_gap_s: float,
        answer_window_s: float = ANSWER_WINDOW_S,
    ) -> None:
        self.wearers = wearers
        self.interval_s: float | None = None
        self._tap_gap_s = tap_gap_s
        self._answer_window_s = answer_window_s
        self._next_at: float | None = None
        self._open: _Open | None = None
        self.last_answers: dict[str, str] = {}
        self._last_tap_at: dict[str, float] = {}

    def configure(
        self, interval_s: float | None, now: float, *, answer_within_s: float | None = None
    ) -> None:
        """Turns check-ins on every ``interval_s`` seconds from ``now``, or off (None)."""
        if interval_s is not None and interval_s < SHORTEST_INTERVAL_S:
            raise ValueError(
                f"check-in interval must be at least {SHORTEST_INTERVAL_S:g} s, got {interval_s:g}"
            )
        if answer_within_s is not None:
            if answer_within_s <= 0:
                raise ValueError(f"time to answer must be positive, got {answer_within_s:g}")
            self._answer_window_s = answer_within_s
        self.interval_s = interval_s
        self._next_at = None if interval_s is None else now + interval_s

    @property
    def open_id(self) -> str | None:
        return self._open.id if self._open is not None else None

    def gesture(self, wearer: str, event: InputEvent) -> None:
        """Sees every gesture, takes none: a signal made during a check-in is still a signal."""
        if event.kind is InputKind.BUTTON:
            return
        before, self._last_tap_at[wearer] = self._last_tap_at.get(wearer), event.at
        pending = self._open
        if pending is None or wearer in pending.answers:
            return
        alone = before is None or event.at - before > self._tap_gap_s
        if event.kind is InputKind.TAP and alone:
            pending.lone_tap_at[wearer] = event.at
        else:
            pending.lone_tap_at.pop(wearer, None)  # one of several taps: a signal, no answer

    def answer(self, wearer: str) -> list[CheckInEffect]:
        """``wearer`` answers "all good" from their page."""
        pending = self._open
        if pending is None or wearer in pending.answers:
            return []
        return [self._record(pending, wearer, "all_good")]

    def tick(self, now: float) -> list[CheckInEffect]:
        effects: list[CheckInEffect] = []
        pending = self._open
        if pending is not None:
            for wearer, at in list(pending.lone_tap_at.items()):
                if now - at >= self._tap_gap_s:
                    del pending.lone_tap_at[wearer]
                    effects.append(self._record(pending, wearer, "all_good"))
            if now - pending.opened_at >= self._answer_window_s:
                for wearer in self.wearers:
                    if wearer not in pending.answers:
                        effects.append(self._record(pending, wearer, "no_answer"))
                self._open = None
        if self._next_at is not None and self.interval_s is not None and now >= self._next_at:
            self._next_at = now + self.interval_s
            if self._open is None:
                effects.extend(self.start(now))
        return effects

    def start(self, now: float) -> list[CheckInEffect]:
        """A check-in now (the scheduler's, or one asked for from a page)."""
        if self._open is not None:
            return []
        self._open = _Open(uuid.uuid4().hex[:12], now)
        self.last_answers = {}
        return [PulseBoth(self._open.id)]

    def _record(self, pending: _Open, wearer: str, answer: str) -> Answered:
        pending.answers[wearer] = answer
        self.last_answers[wearer] = answer
        return Answered(pending.id, wearer, answer)
