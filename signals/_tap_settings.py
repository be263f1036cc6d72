"""What counts as a deliberate tap (the settings), and those settings at one sampling rate."""

from __future__ import annotations

import math
from dataclasses import dataclass

LOWEST_RATE_HZ = 25.0
HIGHEST_RATE_HZ = 1000.0
# Below this rate a 20 ms tap fits inside one sample: its shape is invisible.
SHAPE_VISIBLE_RATE_HZ = 50.0


@dataclass(frozen=True, slots=True)
class TapDetectorSettings:
    """What counts as a deliberate tap. The defaults are measured by ``comfort-hub eval``."""

    # Smallest impulse area (g*ms) that can be a tap: a 1 g, 10 ms tap is about 6.4 g*ms.
    min_area_gms: float = 6.0
    # Below 50 Hz: a firmer tap is needed, as everyday jolts look the same there.
    low_rate_min_area_gms: float = 35.0
    # A weaker impulse of the right shape, in somewhat less quiet surroundings, counts when
    # it follows a tap of its pattern within ``pattern_gap_s`` (deliberate taps come 150-500
    # ms apart): patterns start with a firm tap. Lone weak impulses never count, so everyday
    # jolts cannot add up to a signal.
    pattern_min_area_gms: float = 3.5
    pattern_gap_s: float = 0.5
    pattern_still_g: float = 0.09
    pattern_prominence: float = 2.5
    # The impulse core and the gap before the samples that serve as its baseline.
    core_s: float = 0.02
    baseline_gap_s: float = 0.01
    # A tap's area over a three-times-wider core may grow by at most this factor.
    wide_area_ratio: float = 1.6
    # How much of the wrist's motion around a tap is looked at, and how still it must be.
    before_s: float = 0.5
    after_s: float = 0.3
    still_g: float = 0.07
    # The impulse's mean excess must be this many times the surroundings' spread.
    prominence: float = 4.0
    # Largest change of the gravity vector between before and after (a posture change).
    max_posture_change_g: float = 0.15
    # A tap's own ringing after the impulse, ignored when judging the surroundings.
    ringing_s: float = 0.03
    # Taps closer than this are one tap (its rebound, or a bounce of the finger).
    min_tap_gap_s: float = 0.1
    # An impulse followed this closely by another rings like a knock on a hard thing, and
    # cannot start a pattern (deliberate taps come 0.15 s apart or more).
    ringing_window_s: float = 0.1
    # A pattern starts only on a tap that is clearly the sharpest thing in the ``settle_s``
    # before it: no earlier impulse there reaches ``settle_ratio`` of its area. A wearer
    # about to tap holds still; a knock while a device is handled, put down or picked up
    # comes straight after bigger movement (what fooled the detector on 6 h of real motion).
    settle_s: float = 1.0
    settle_ratio: float = 0.5
    # At least this share of the surroundings must be free of other impulses to be judged.
    min_clear_share: float = 0.2
    # A pause in the samples longer than this starts the stream afresh.
    max_sample_gap_s: float = 0.5

    def __post_init__(self) -> None:
        for name in (
            "min_area_gms",
            "low_rate_min_area_gms",
            "pattern_min_area_gms",
            "pattern_gap_s",
            "pattern_still_g",
            "pattern_prominence",
            "core_s",
            "baseline_gap_s",
            "wide_area_ratio",
            "before_s",
            "after_s",
            "still_g",
            "prominence",
            "max_posture_change_g",
            "min_tap_gap_s",
            "ringing_window_s",
            "settle_s",
            "settle_ratio",
            "max_sample_gap_s",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.ringing_s < 0:
            raise ValueError(f"ringing_s must not be negative, got {self.ringing_s}")
        if not 0 < self.min_clear_share <= 1:
            raise ValueError(f"min_clear_share must be in (0, 1], got {self.min_clear_share}")


@dataclass(frozen=True, slots=True)
class Geometry:
    """The settings turned into sample counts for one rate."""

    core: int
    gap: int
    before: int
    after: int
    ringing: int
    settle: int
    min_area_gms: float
    pattern_min_area_gms: float
    sample_ms: float

    @classmethod
    def at(cls, rate_hz: float, settings: TapDetectorSettings) -> Geometry:
        min_area = settings.min_area_gms
        pattern_min_area = min(min_area, settings.pattern_min_area_gms)
        if rate_hz < SHAPE_VISIBLE_RATE_HZ:
            min_area = max(min_area, settings.low_rate_min_area_gms)
            pattern_min_area = min_area
        return cls(
            core=max(2, round(settings.core_s * rate_hz)),
            gap=max(1, round(settings.baseline_gap_s * rate_hz)),
            before=max(4, round(settings.before_s * rate_hz)),
            after=max(4, round(settings.after_s * rate_hz)),
            ringing=math.ceil(settings.ringing_s * rate_hz),
            settle=max(4, round(settings.settle_s * rate_hz)),
            min_area_gms=min_area,
            pattern_min_area_gms=pattern_min_area,
            sample_ms=1000.0 / rate_hz,
        )

    # The samples on each side of a core start that decide about it: its surroundings, and
    # far enough beyond them to know every neighbouring impulse that reaches into them.
    @property
    def left_context(self) -> int:
        return self.before + 2 * self.core + 2 * self.gap + self.ringing + 2

    # What is kept of the samples already judged: the surroundings and the settling time
    # before the next core start. At the start of a stream the settling time is shorter
    # (what came before is unknown), so a tap in its first second still counts.
    @property
    def history(self) -> int:
        return max(self.left_context, self.settle + 2 * self.core + 3 * self.gap)

    @property
    def right_context(self) -> int:
        return self.after + 3 * self.core + 3 * self.gap + 1
