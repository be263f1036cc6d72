"""Exports of one session: the page as one HTML file, a picture, CSV rows or the whole JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from hub._private_files import claim_private_file
from hub.store import iso
from hub.timeline._page import timeline_html
from hub.timeline._render import render

FORMATS = ("html", "png", "svg", "csv", "json")
CSV_COLUMNS = ("time", "type", "wearer", "signal", "id", "from", "by", "state", "detail")


def export(timeline: dict[str, Any], image_format: str, out: Path) -> None:
    if image_format not in FORMATS:
        raise ValueError(f"format {image_format!r}: choose one of {', '.join(FORMATS)}")
    # Intimate data: the user's alone from the file's creation, wherever it is written.
    claim_private_file(out)
    if image_format in ("png", "svg"):
        render(timeline, out, image_format=image_format)
    elif image_format == "json":
        out.write_text(json.dumps(timeline, indent=1))
    elif image_format == "csv":
        out.write_text(events_csv(timeline))
    else:
        out.write_text(timeline_html(timeline))


def events_csv(timeline: dict[str, Any]) -> str:
    """One row per event, in order; fields the columns do not name go to ``detail``."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(CSV_COLUMNS)
    named = {*CSV_COLUMNS, "n"}
    for event in timeline["events"]:
        shared = event.get("shared") if event["type"] == "feedback" else None
        if isinstance(shared, dict) and shared.get("about"):
            # A shared answer names the signal it is about in the id column, beside that signal.
            event = {**event, "id": shared["about"]}
        rest = {k: v for k, v in event.items() if k not in named}
        writer.writerow(
            [
                iso(event["time"]),
                *(event.get(column, "") for column in CSV_COLUMNS[1:-1]),
                json.dumps(rest) if rest else "",
            ]
        )
    return text.getvalue()
