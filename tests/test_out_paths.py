"""``--out``: a file goes exactly where it is named; a missing directory is named, never made."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from hub.cli import main
from hub.store import EventStore


@pytest.fixture
def one_session(data_dir: Path) -> None:
    """An ended session in the data directory, for ``timeline latest`` to export."""
    store = EventStore.open(data_dir)
    try:
        store.start_session("our-room", ("alex", "sam"), at=time.time() - 60)
    finally:
        store.close()  # closing ends the session


def test_timeline_refuses_a_missing_directory_and_makes_none(
    tmp_path: Path, one_session: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nonexist" / "x.csv"
    assert main(["timeline", "latest", "--format", "csv", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"comfort-hub timeline: --out {out}: the directory {out.parent} does not exist "
        "(create it first)\n"
    )
    assert not out.parent.exists()

    assert main(["timeline", "latest", "--format", "csv", "--out", str(tmp_path)]) == 2
    assert f"--out {tmp_path} is a directory" in capsys.readouterr().err

    written = tmp_path / "x.csv"
    assert main(["timeline", "latest", "--format", "csv", "--out", str(written)]) == 0
    assert stat.S_IMODE(written.stat().st_mode) == 0o600, "intimate: the user's alone"


def test_record_refuses_a_missing_directory_before_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(
        f'pair = "p"\nwearers = ["alex", "sam"]\ndata_dir = "{tmp_path / "data"}"\n'
        '[[devices]]\nwearer = "alex"\nprofile = "polar_h10"\n'
        '[[devices]]\nwearer = "sam"\nprofile = "bangle"\n'
    )
    out = tmp_path / "nonexist" / "alex.csv"
    argv = ["record", "alex", "--seconds", "5", "--out", str(out), "--config", str(config)]
    assert main([*argv, "--simulated"]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"comfort-hub record: --out {out}: the directory {out.parent} does not exist "
        "(create it first)\n"
    )
    assert "tap 3 times now" not in captured.out, "refused before recording anything"
    assert not out.parent.exists()
