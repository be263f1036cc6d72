"""The session journal keeps every event, and survives a hub dying mid-line."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_bridge import LinkEvent, LinkState
from hub._events import LinkChanged
from hub._journal import EventJournal, read_journal


def test_events_are_kept_in_order_and_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = EventJournal(path)
    journal(LinkChanged("alex", LinkEvent(LinkState.CONNECTED, 1.0, "AA")))
    journal(LinkChanged("alex", LinkEvent(LinkState.LOST, 2.0, "AA")))
    journal.close()
    with path.open("a") as torn:
        torn.write('{"time": "2026-')  # the hub died while writing
    assert [e["state"] for e in read_journal(path)] == ["connected", "lost"]


def test_a_damaged_line_in_the_middle_is_named(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text('{"type": "link"}\nnot json\n{"type": "link"}\n')
    with pytest.raises(ValueError, match=r"journal.jsonl:2: not a journal line"):
        read_journal(path)
