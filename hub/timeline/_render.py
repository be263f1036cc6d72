"""The timeline as a picture (PNG or SVG), drawn on the hub with matplotlib.

The same picture as the page: both wearers' heart rate over the session, each wearer's held
levels as coloured bands in a lane of their own, and every signal, ack, re-alert and link
event marked and labelled at its time.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

# The object API, not pyplot: no global figure state, safe in the web server's threads.
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from hub.timeline._labels import LEVEL_COLOURS, MARKED, WEARER_COLOURS, marker_label
from hub.timeline._layout import figure_width, spread_labels

# The saved picture's resolution; the layout is measured at it.
DPI = 110
# A short session's picture is this wide; a busy one is wider, so its labels stand apart.
MIN_WIDTH_IN = 14.0


def _clock(at: float, _position: object = None) -> str:
    return datetime.fromtimestamp(at).strftime("%H:%M:%S")


def render(timeline: dict[str, Any], out: Path, *, image_format: str) -> None:
    draw_timeline(timeline).savefig(out, format=image_format, dpi=DPI)


def draw_timeline(timeline: dict[str, Any]) -> Figure:
    """The picture, laid out with no two labels overlapping (see ``_layout``)."""
    session = timeline["session"]
    wearers: list[str] = session["wearers"]
    marked = [
        event
        for event in timeline["events"]
        # Practice is listed apart, never drawn as a signal.
        if event["type"] in MARKED and event.get("source") != "rehearsal"
    ]
    width = figure_width(len(marked), minimum_in=MIN_WIDTH_IN)
    figure = Figure(figsize=(width, 6), dpi=DPI, layout="constrained")
    heart_axes, lanes = figure.subplots(
        2,
        1,
        sharex=True,
        gridspec_kw={"height_ratios": [3, 1]},
    )
    figure.suptitle(f"comfort timeline · pair {session['pair']} · session {session['id']}")
    for index, wearer in enumerate(wearers):
        series = timeline["heart"].get(wearer)
        if series and series["time"]:
            heart_axes.plot(
                series["time"],
                series["bpm"],
                color=WEARER_COLOURS[index % len(WEARER_COLOURS)],
                linewidth=0.8,
                label=f"{wearer} heart rate",
            )
    heart_axes.set_ylabel("beats per minute")
    if timeline["heart"]:
        heart_axes.legend(loc="lower right")
    else:
        heart_axes.set_ylim(50, 130)
        heart_axes.text(
            0.5, 0.5, "no heart rate recorded", transform=heart_axes.transAxes, ha="center"
        )
    lane_of = {wearer: index for index, wearer in enumerate(wearers)}
    for band in timeline["bands"]:
        start, end = band["start"], band["end"]
        lanes.broken_barh(
            [(start, max(end - start, 0.01))],
            (lane_of.get(band["wearer"], 0) - 0.4, 0.8),
            color=LEVEL_COLOURS[band["level"]],
        )
        heart_axes.axvspan(start, end, color=LEVEL_COLOURS[band["level"]], alpha=0.12)
    upright = []
    for event in marked:
        when = event["time"]
        colour = LEVEL_COLOURS.get(str(event.get("signal")), "#666666")
        heart_axes.axvline(when, color=colour, linewidth=0.7, alpha=0.8)
        lanes.plot([when], [lane_of.get(event["wearer"], 0)], marker="v", color=colour)
        upright.append(
            heart_axes.annotate(
                marker_label(event),
                (when, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, -2),
                textcoords="offset points",
                rotation=90,
                fontsize=7,
                va="top",
                ha="right",
                color=colour if colour != "#666666" else "black",
            )
        )
    flat = []
    for signal in timeline["summary"]["signals"]:
        for shared in signal.get("answers", []):
            # A shared aftercare answer, beside the signal it is about; private ones never get here.
            flat.append(
                heart_axes.annotate(
                    f"{shared['wearer']} shared: {shared['answers'].get('felt_good') or '…'}"[:60],
                    (signal["time"], 0.02),
                    xycoords=("data", "axes fraction"),
                    xytext=(0, 0),
                    textcoords="offset points",
                    fontsize=7,
                    color="#2e7d32",
                )
            )
    lanes.set_yticks(range(len(wearers)), wearers)
    lanes.set_ylim(-0.6, len(wearers) - 0.4)
    lanes.set_title("levels held", fontsize=9, loc="left")
    lanes.xaxis.set_major_formatter(FuncFormatter(_clock))
    lanes.set_xlim(timeline["start"], max(timeline["end"], timeline["start"] + 1))
    spread_labels(figure, heart_axes, upright, flat)
    return figure
