"""The comfort timeline: one session drawn and exported (HTML, PNG, SVG, CSV, JSON)."""

from hub.timeline._data import build_timeline, level_bands
from hub.timeline._export import FORMATS, export
from hub.timeline._render import draw_timeline

__all__ = ["FORMATS", "build_timeline", "draw_timeline", "export", "level_bands"]
