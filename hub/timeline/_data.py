"""A session as the timeline shows it: heart rate, events, held levels as bands, a summary.

One builder for the page, the exports and the picture, so they all tell the same story.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from hub.store import StoredEvent, StoreReader

LEVELS = ("slow_down", "pause", "stop")
# Heart rate "before" and "after" a signal: the mean over this many seconds on each side.
HEART_CONTEXT_S = 30.0


@dataclass(frozen=True, slots=True)
class Band:
    wearer: str
    level: str
    start: float
    end: float


def build_timeline(reader: StoreReader, wanted: str) -> dict[str, Any]:
    """The whole session ``wanted`` (an id or ``latest``) as one JSON-ready object."""
    session = reader.session(wanted)
    events = reader.events(session.id)
    heart = reader.heart(session.id)
    end = session.ended_at or max(
        [session.started_at, *(e.at for e in events), *(t for h in heart for t in h.times[-1:])]
    )
    # Events adopted from before the start (the first wearable connecting) widen the view.
    start = min(
        [session.started_at, *(e.at for e in events[:1]), *(h.times[0] for h in heart if h.times)]
    )
    bands = level_bands(events, end)
    return {
        "session": session.as_json(),
        "start": start,
        "end": end,
        "events": [e.as_json() for e in events],
        # Rounded to what matters (ms, 0.1 bpm): an 8-hour session's page loads a third less.
        "heart": {
            h.wearer: {"time": [round(t, 3) for t in h.times], "bpm": [round(b, 1) for b in h.bpm]}
            for h in heart
        },
        "rmssd": {
            r.wearer: {"time": r.times, "rmssd_ms": r.rmssd_ms} for r in reader.rmssd(session.id)
        },
        "bands": [
            {"wearer": b.wearer, "level": b.level, "start": b.start, "end": b.end} for b in bands
        ],
        "summary": summarise(events, bands, heart_by_wearer(heart)),
    }


def heart_by_wearer(heart: list[Any]) -> dict[str, tuple[list[float], list[float]]]:
    return {h.wearer: (h.times, h.bpm) for h in heart}


def level_bands(events: list[StoredEvent], end: float) -> list[Band]:
    """Each level a wearer held (by their signals, link holds and levels restored after a
    restart included), start to end."""
    bands: list[Band] = []
    holding: dict[str, tuple[str, float]] = {}
    for event in events:
        if event.wearer is None or not (is_real_signal(event) or event.kind == "restored"):
            continue
        # A level a restarted hub found held starts its band in this session, as a signal would.
        signal = event.data.get("signal")
        if signal not in (*LEVELS, "resume"):
            continue  # a check-in asks a question; it holds nothing
        held = holding.get(event.wearer)
        if held is not None and held[0] == signal:
            continue  # the same level said again (after a restart): still one band
        holding.pop(event.wearer, None)
        if held is not None:
            bands.append(Band(event.wearer, held[0], held[1], event.at))
        if signal != "resume":
            holding[event.wearer] = (str(signal), event.at)
    bands.extend(Band(wearer, level, start, end) for wearer, (level, start) in holding.items())
    return sorted(bands, key=lambda band: band.start)


def summarise(
    events: list[StoredEvent],
    bands: list[Band],
    heart: dict[str, tuple[list[float], list[float]]],
) -> dict[str, Any]:
    signals = [e for e in events if is_real_signal(e)]
    by_kind: dict[str, int] = {}
    for event in signals:
        kind = str(event.data.get("signal"))
        by_kind[kind] = by_kind.get(kind, 0) + 1
    acks = {}
    for event in events:
        if event.kind == "ack" and event.data.get("id") not in acks:
            acks[event.data.get("id")] = event
    shared = shared_answers(events)
    acknowledged = []
    for event in signals:
        ack = acks.get(event.data.get("id"))
        context = {
            wearer: {
                "before": _mean_between(times, bpm, event.at - HEART_CONTEXT_S, event.at),
                "after": _mean_between(times, bpm, event.at, event.at + HEART_CONTEXT_S),
            }
            for wearer, (times, bpm) in heart.items()
        }
        acknowledged.append(
            {
                "id": event.data.get("id"),
                "wearer": event.wearer,
                "signal": event.data.get("signal"),
                "source": event.data.get("source"),
                "time": event.at,
                "acknowledged_by": ack.wearer if ack is not None else None,
                "seconds_to_ack": round(ack.at - event.at, 3) if ack is not None else None,
                "heart": context,
                "answers": [a for a in shared if a["about"] == event.data.get("id")],
            }
        )
    held: dict[str, dict[str, float]] = {}
    for band in bands:
        per_level = held.setdefault(band.wearer, {})
        per_level[band.level] = round(per_level.get(band.level, 0.0) + band.end - band.start, 3)
    return {
        "signals_by_kind": by_kind,
        "signals": acknowledged,
        "seconds_held": held,
        "shared_answers": shared,
        "rehearsal": rehearsal_steps(events),
        "check_ins": check_ins(events),
    }


def shared_answers(events: list[StoredEvent]) -> list[dict[str, Any]]:
    """Aftercare answers a wearer chose to share, with the moment (a signal id) they are about.

    Only shared answers are ever recorded as events; a private one never reaches the store."""
    return [
        {"wearer": e.wearer, "time": e.at, "about": shared.get("about", ""), "answers": shared}
        for e in events
        if e.kind == "feedback" and isinstance(shared := e.data.get("shared"), dict)
    ]


def is_real_signal(event: StoredEvent) -> bool:
    """A signal a wearer meant; a rehearsal's gestures are practice and never count."""
    return event.kind == "signal" and event.data.get("source") != "rehearsal"


def rehearsal_steps(events: list[StoredEvent]) -> list[dict[str, Any]]:
    """Each rehearsed gesture, kept apart from the signals (its own lane on the page)."""
    return [
        {
            "time": e.at,
            "wearer": e.wearer,
            "gesture": e.data.get("gesture"),
            "meaning": e.data.get("meaning"),
            "recognised": e.data.get("recognised"),
        }
        for e in events
        if e.kind == "rehearsal_step"
    ]


def check_ins(events: list[StoredEvent]) -> list[dict[str, Any]]:
    """Each check-in once, with what each wearer answered (``all_good`` or ``no_answer``)."""
    asked: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.kind != "check_in":
            continue
        entry = asked.setdefault(
            str(event.data.get("id")), {"id": event.data.get("id"), "time": event.at, "answers": {}}
        )
        if event.wearer is not None and event.data.get("answer") is not None:
            entry["answers"][event.wearer] = event.data["answer"]
    return list(asked.values())


def _mean_between(times: list[float], bpm: list[float], start: float, end: float) -> float | None:
    # Times are in order: find the window by bisection (8-hour sessions have 28,800 values).
    values = bpm[bisect_left(times, start) : bisect_left(times, end)]
    return round(statistics.fmean(values), 1) if values else None
