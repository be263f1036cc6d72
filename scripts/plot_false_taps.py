"""Draws the impulses in real motion that look like taps beside synthetic taps (docs figure).

    .venv/bin/python scripts/plot_false_taps.py MOTION_DIR docs/false-taps.png

Runs the tap detector's shape judgement over every recording of MOTION_DIR (a folder with a
manifest.json, such as motion-100hz) and plots each impulse it judged tap-shaped in still
surroundings and firm enough to start a pattern under the old rules, with 3 s before and
1 s after, marking why the new rules refuse it: an earlier impulse in the second before
("not settled") or another impulse within 0.1 s after ("rings"). The last row shows
synthetic taps laid over real wrist motion at 100 Hz, as the evaluation makes them.
Needs matplotlib (in the dev extra).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from hub.lab._motion import read_manifest, read_recording
from hub.lab._recordings import real_motion
from signals import TapDetectorSettings, synthesise_tap_recording
from signals._tap_settings import Geometry
from signals._tap_shape import judge


def fooling_impulses(folder: Path) -> list[tuple[str, float, np.ndarray, float, str]]:
    settings = TapDetectorSettings()
    found = []
    for entry in read_manifest(folder):
        samples = read_recording(folder, entry)
        geometry = Geometry.at(entry.rate_hz, settings)
        starts, firm, may_start = judge(
            samples, geometry.history, len(samples) - geometry.right_context, geometry, settings
        )
        for start, is_firm, starts_ok in zip(starts, firm, may_start, strict=True):
            if not is_firm:
                continue
            why = "would still start a pattern" if starts_ok else "refused now"
            found.append((entry.file, start / entry.rate_hz, samples, entry.rate_hz, why))
    return found


def main(folder: Path, out: Path) -> None:
    impulses = fooling_impulses(folder)
    rng = np.random.default_rng(3)
    motion = max(real_motion(), key=lambda m: m.duration_s)
    synthetic = synthesise_tap_recording(motion.samples_g, motion.rate_hz, 100.0, rng)
    examples = [
        (f"synthetic taps over real wrist motion ({len(p.taps)} taps)", p.taps[0])
        for p in synthetic.patterns[:3]
    ]
    rows = len(impulses) + len(examples)
    figure, axes = plt.subplots(rows, 1, figsize=(9, 1.6 * rows), sharex=True)
    for axis, (file, at, samples, rate, why) in zip(axes, impulses, strict=False):
        _panel(axis, samples, rate, at, f"{file} at {at:.2f} s: {why}")
    for axis, (title, at) in zip(axes[len(impulses) :], examples, strict=True):
        _panel(axis, synthetic.samples_g, 100.0, at, title, colour="tab:green")
    axes[-1].set_xlabel("seconds from the impulse")
    figure.suptitle("Tap-shaped impulses in 6.2 h of real motion (no deliberate taps), and taps")
    figure.tight_layout(rect=(0.0, 0.0, 1.0, 0.985))
    figure.savefig(out, dpi=80)
    print(f"{len(impulses)} impulses from {folder} drawn in {out}")


def _panel(
    axis: Axes, samples: np.ndarray, rate: float, at: float, title: str, colour: str = "k"
) -> None:
    centre = round(at * rate)
    first, stop = max(0, centre - round(3 * rate)), min(len(samples), centre + round(rate))
    times = (np.arange(first, stop) - centre) / rate
    window = samples[first:stop]
    # How far the acceleration is from its level in the 3 s before: taps and jolts alike.
    excess = np.linalg.norm(window - np.median(window, axis=0), axis=1)
    axis.plot(times, excess, color=colour, linewidth=0.7)
    axis.axvline(0.0, color="tab:red", linewidth=0.5)
    axis.axvspan(-1.0, 0.0, color="tab:blue", alpha=0.07)  # the second that must be settled
    axis.set_title(title, fontsize=8, loc="left")
    axis.set_ylabel("g", fontsize=7)
    axis.tick_params(labelsize=7)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
