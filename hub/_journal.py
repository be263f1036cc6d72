"""The session journal: every event (signals, acks, alerts, link changes, heart rate) as a
JSON line with its wall-clock time, kept on the hub for the comfort timeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from hub._event_json import event_json
from hub._events import HubEvent


class EventJournal:
    """Appends each event to ``path``; lines written before a crash stay readable."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO = path.open("a", encoding="utf-8")

    def __call__(self, event: HubEvent) -> None:
        record = {"time": datetime.now(UTC).isoformat(), **event_json(event)}
        # One line per event, flushed: a hub killed mid-session loses nothing already seen.
        self._file.write(json.dumps(record, default=str) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def read_journal(path: Path) -> list[dict[str, object]]:
    """The events of a journal; a torn last line (the hub died while writing) is skipped."""
    events = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                if line.endswith("\n"):
                    raise ValueError(
                        f"{path}:{number}: not a journal line: {line[:60]!r}"
                    ) from None
    return events
