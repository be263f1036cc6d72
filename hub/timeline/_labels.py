"""Words and colours shared by the picture and the exports."""

from __future__ import annotations

from typing import Any

LEVEL_COLOURS = {
    "slow_down": "#2f6db3",
    "pause": "#c77c02",
    "stop": "#b3261e",
    "resume": "#2e8b57",
    "check_in": "#7b5ea7",
}
WEARER_COLOURS = ("#d2691e", "#1f77b4")
SIGNAL_WORDS = {
    "slow_down": "SLOW DOWN",
    "pause": "PAUSE",
    "stop": "STOP",
    "resume": "RESUME",
    "check_in": "CHECK IN",
}
# The events marked on the timeline (alerts are the same moment as their signal on one hub).
MARKED = ("signal", "ack", "realert", "link", "refused", "partner_unreachable")


def marker_label(event: dict[str, Any]) -> str:
    kind, wearer = event["type"], event.get("wearer")
    if kind == "signal":
        word = SIGNAL_WORDS.get(str(event.get("signal")), str(event.get("signal")))
        return f"{wearer}: {word}" + (" (link)" if event.get("source") == "link" else "")
    if kind == "ack":
        return f"{wearer} noticed"
    if kind == "realert":
        return f"re-alert {event.get('count')} for {wearer}"
    if kind == "link":
        return f"{wearer}'s wearable {event.get('state')}"
    if kind == "partner_unreachable":
        return f"{event.get('partner')} {'back' if event.get('back') else 'unreachable'}"
    return f"{kind} {wearer or ''}".strip()
