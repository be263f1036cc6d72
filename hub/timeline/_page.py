"""The timeline page's HTML: served by the hub (assets by URL) or exported as one file."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

_STATIC = resources.files("hub") / "web" / "static"
SERVED_ASSETS = (
    '<link rel="stylesheet" href="/static/vendor/uPlot.min.css">\n'
    '<script src="/static/vendor/uPlot.iife.min.js"></script>\n'
    '<script src="/static/timeline.js"></script>'
)


def _static(name: str) -> str:
    return (_STATIC / name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    # Inside <script>, "</" could close the element early: JSON and JS both accept "<\/".
    return text.replace("</", "<\\/")


def timeline_html(timeline: dict[str, Any] | None, session_id: str | None = None) -> str:
    """With ``timeline``: one self-contained file. Without: the served page for ``session_id``."""
    template = _static("timeline.html")
    boot: dict[str, Any]
    if timeline is None:
        assets = SERVED_ASSETS
        boot = {"session": session_id, "served": True}
    else:
        assets = (
            f"<style>{_static('vendor/uPlot.min.css')}</style>\n"
            f"<script>{_script_safe(_static('vendor/uPlot.iife.min.js'))}</script>\n"
            f"<script>{_script_safe(_static('timeline.js'))}</script>"
        )
        boot = {"session": timeline["session"]["id"], "served": False, "timeline": timeline}
    return template.replace("<!--ASSETS-->", assets).replace(
        "/*BOOT*/null", _script_safe(json.dumps(boot))
    )
