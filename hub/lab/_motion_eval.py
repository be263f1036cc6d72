"""False signals on a folder of real motion: each file played at its own rate, then counted
per placement, per activity and overall, with the worst files first.

The recordings hold no deliberate tap, so every tap the detector finds is false, and every
signal those taps make is a false signal (what a partner would feel).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hub.lab._motion import MotionEntry, read_manifest, read_recording
from signals import TapDetectorSettings, TimedSignal, detect_taps, signals_from_taps


@dataclass(frozen=True, slots=True)
class MotionFileResult:
    entry: MotionEntry
    duration_s: float
    tap_times: tuple[float, ...]
    signals: tuple[TimedSignal, ...]


@dataclass(frozen=True, slots=True)
class MotionGroup:
    """The files sharing a placement or an activity (or all of them), added up."""

    name: str
    files: int
    duration_s: float
    taps: int
    signals: int

    @property
    def signals_per_hour(self) -> float:
        return self.signals / (self.duration_s / 3600.0) if self.duration_s else 0.0


@dataclass(frozen=True, slots=True)
class MotionEvaluation:
    folder: Path
    results: list[MotionFileResult]

    @property
    def overall(self) -> MotionGroup:
        return _add_up("overall", self.results)

    def by_placement(self) -> list[MotionGroup]:
        return self._grouped(lambda entry: entry.placement_label)

    def by_activity(self) -> list[MotionGroup]:
        return self._grouped(lambda entry: entry.activity_label)

    def worst(self, count: int = 5) -> list[MotionFileResult]:
        """The files with the most false signals, then the most false taps; none if clean."""
        fooled = [r for r in self.results if r.tap_times]
        fooled.sort(key=lambda r: (-len(r.signals), -len(r.tap_times), r.entry.file))
        return fooled[:count]

    def _grouped(self, key: Callable[[MotionEntry], str]) -> list[MotionGroup]:
        groups: dict[str, list[MotionFileResult]] = defaultdict(list)
        for result in self.results:
            groups[key(result.entry)].append(result)
        return [_add_up(name, rows) for name, rows in sorted(groups.items())]


# Progress: (files done, files in all, the file being read).
Progress = Callable[[int, int, str], None]


def evaluate_motion(
    folder: Path,
    *,
    settings: TapDetectorSettings | None = None,
    progress: Progress = lambda done, total, file: None,
) -> MotionEvaluation:
    """Runs the detector over every recording of ``folder`` at the recording's own rate."""
    entries = read_manifest(folder)
    results: list[MotionFileResult] = []
    for number, entry in enumerate(entries):
        progress(number, len(entries), entry.file)
        samples = read_recording(folder, entry)
        taps = detect_taps(samples, entry.rate_hz, settings=settings)
        results.append(
            MotionFileResult(
                entry=entry,
                duration_s=len(samples) / entry.rate_hz,
                tap_times=tuple(taps.tolist()),
                signals=tuple(signals_from_taps(taps)),
            )
        )
    progress(len(entries), len(entries), "")
    return MotionEvaluation(folder, results)


def _add_up(name: str, rows: list[MotionFileResult]) -> MotionGroup:
    return MotionGroup(
        name=name,
        files=len(rows),
        duration_s=sum(r.duration_s for r in rows),
        taps=sum(len(r.tap_times) for r in rows),
        signals=sum(len(r.signals) for r in rows),
    )
