"""Labels that never overlap: events close in time get their labels moved apart.

Event labels stand upright along the top of the heart-rate chart, each just left of its
event's line. Where events are closer together than a label is thick (a signal and the
partner's alert a few milliseconds apart, a dropped link and the pause it causes), the labels
are pushed apart sideways, in time order, as little as needed and kept inside the chart.
Answers shared after the session lie flat along the bottom and are stacked in rows instead.

Both work on the drawn figure: label sizes come from the renderer, so fonts and DPI are what
the saved picture has. The layout is then frozen, so saving moves nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation

# Space between two neighbouring labels, in pixels.
LABEL_GAP_PX = 2.0
# A label's thickness across the time axis (7 pt text plus the gap), in inches: the figure
# is made wide enough for every label to stand apart.
LABEL_PITCH_IN = 0.14
# Room the y axis, its label and the margins take beside the chart, in inches.
CHART_MARGIN_IN = 1.6


def figure_width(labels: int, minimum_in: float) -> float:
    """Wide enough for ``labels`` upright labels side by side, and at least ``minimum_in``."""
    return max(minimum_in, CHART_MARGIN_IN + labels * LABEL_PITCH_IN)


def spread_labels(
    figure: Figure, axes: Axes, upright: Sequence[Annotation], flat: Sequence[Annotation]
) -> None:
    """Moves ``upright`` labels (rotated 90°, right-aligned at their time) sideways and stacks
    ``flat`` labels (left-aligned at their time) in rows, so that no two overlap."""
    # The object API's figure has no canvas of its own to measure with: Agg is the PNG's.
    canvas = (
        figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    )
    figure.draw_without_rendering()  # lays the figure out, so sizes and places are final
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]  # untyped in matplotlib
    chart = axes.get_window_extent(renderer)
    to_points = 72.0 / figure.dpi

    boxes = [label.get_window_extent(renderer) for label in upright]
    order = sorted(range(len(upright)), key=lambda i: boxes[i].x1)
    wanted = [boxes[i].x1 for i in order]
    widths = [boxes[i].width for i in order]
    right = _spread(wanted, widths, chart.x0, chart.x1)
    for index, edge, want in zip(order, right, wanted, strict=True):
        x, y = upright[index].xyann
        upright[index].xyann = (x + (edge - want) * to_points, y)

    rows: list[float] = []  # the right edge of the last label in each row
    for label in sorted(flat, key=lambda a: a.get_window_extent(renderer).x0):
        box = label.get_window_extent(renderer)
        row = next((r for r, end in enumerate(rows) if end + LABEL_GAP_PX <= box.x0), len(rows))
        if row == len(rows):
            rows.append(box.x1)
        rows[row] = box.x1
        x, y = label.xyann
        label.xyann = (x, y + row * (box.height + LABEL_GAP_PX) * to_points)
    # What was measured is what is saved: no second layout pass may move the axes.
    figure.set_layout_engine("none")


def _spread(wanted: list[float], widths: list[float], low: float, high: float) -> list[float]:
    """Right edges as near ``wanted`` (ascending) as can be with each label ``widths`` wide,
    none overlapping, within ``low``..``high`` when they fit."""
    right = list(wanted)
    for i in range(len(right)):
        floor = low if i == 0 else right[i - 1] + LABEL_GAP_PX
        right[i] = max(right[i], floor + widths[i])
    ceiling = high
    for i in reversed(range(len(right))):
        right[i] = min(right[i], ceiling)
        ceiling = right[i] - widths[i] - LABEL_GAP_PX
    if right and right[0] - widths[0] < low:
        # Too many to fit: better past the chart's right edge than on top of each other.
        for i in range(len(right)):
            floor = low if i == 0 else right[i - 1] + LABEL_GAP_PX
            right[i] = max(right[i], floor + widths[i])
    return right
