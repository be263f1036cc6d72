"""``comfort-hub sessions``: what the list says about each session."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from hub.store import EventStore


def test_a_session_still_going_is_listed_with_the_time_it_has_lasted(data_dir: Path) -> None:
    store = EventStore.open(data_dir)
    store.start_session("our-room", ("alex", "sam"), at=time.time() - 600)
    store.flush()
    try:
        listed = subprocess.run(
            [sys.executable, "-m", "hub", "sessions"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    finally:
        store.close()  # closing ends the session, so only after the listing
    assert "still going" in listed
    assert " 0.0 min" not in listed
    assert "min" in listed
