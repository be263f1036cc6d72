"""The store's record types, shared by the writer side and the readers."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from signals import ComfortSignal

# Event kinds are short lowercase words, dotted for a feature's own ("practice.agreement").
_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")


def check_kind(kind: str) -> str:
    if not _KIND.fullmatch(kind):
        raise ValueError(f"event kind {kind!r}: use lowercase words, dotted (like 'practice.ack')")
    return kind


@dataclass(frozen=True, slots=True)
class SavedState:
    """What a wearer held when the hub last saved: taken up again after a restart."""

    level: ComfortSignal | None
    signal_id: str | None
    since: datetime | None
    next_seq: int
    # The wearer's last acknowledgement (the signal's id, and when), said again at the start.
    ack_id: str | None = None
    ack_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: str
    pair: str
    wearers: tuple[str, ...]
    devices: dict[str, str]
    demo: bool
    started_at: float
    started_by: str
    ended_at: float | None
    ended_by: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row | tuple[Any, ...]) -> SessionInfo:
        id_, pair, wearers, devices, demo, started_at, started_by, ended_at, ended_by = row
        return cls(
            id_,
            pair,
            tuple(json.loads(wearers)),
            dict(json.loads(devices)),
            bool(demo),
            float(started_at),
            started_by,
            float(ended_at) if ended_at is not None else None,
            ended_by,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "pair": self.pair,
            "wearers": list(self.wearers),
            "devices": self.devices,
            "demo": self.demo,
            "started_at": self.started_at,
            "started_by": self.started_by,
            "ended_at": self.ended_at,
            "ended_by": self.ended_by,
        }


SESSION_COLUMNS = "id, pair, wearers, devices, demo, started_at, started_by, ended_at, ended_by"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    n: int
    at: float
    kind: str
    wearer: str | None
    data: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        """The event as the page's feed has it: its fields, plus ``n``, ``time`` and ``type``."""
        return {**self.data, "type": self.kind, "wearer": self.wearer, "time": self.at, "n": self.n}


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")
