"""``comfort-hub sessions``: what the list says about each session."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub.store import EventStore
from tests.brokers import Mosquitto
from tests.simulated_hub import simulated_hub


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


async def _sessions(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``comfort-hub sessions ARGS`` as a user runs it, with ``data_dir`` as the default folder."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hub", "sessions", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "COMFORT_HUB_DATA_DIR": str(data_dir)},
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode is not None
    return subprocess.CompletedProcess(args, process.returncode, out.decode(), err.decode())


@pytest.mark.timeout(90)
async def test_sessions_with_a_hub_link_lists_that_hubs_sessions_not_the_local_folders(
    tmp_path: Path, mosquitto: Mosquitto
) -> None:
    elsewhere = tmp_path / "this-machines-folder"
    local = EventStore.open(elsewhere)
    local.start_session("local-pair", ("kim", "lee"))
    local.close()
    async with simulated_hub(tmp_path, mosquitto.address) as hub:
        link = f"{hub.url}/wearers/alex?token={hub.token}"  # the link the hub printed
        started = await _sessions("--start", "--hub", link, data_dir=elsewhere)
        assert started.returncode == 0, started.stderr
        session_id = started.stdout.split()[1]

        listed = await _sessions("--hub", link, data_dir=elsewhere)
        assert listed.returncode == 0, listed.stderr
        assert session_id in listed.stdout and "tryout: alex & sam" in listed.stdout
        assert "local-pair" not in listed.stdout

        # The token may come apart from the address, as with sim and agree.
        by_token = await _sessions("--hub", hub.url, "--token", hub.token, data_dir=elsewhere)
        assert by_token.returncode == 0 and session_id in by_token.stdout
        assert "local-pair" not in by_token.stdout

        no_token = await _sessions("--hub", hub.url, data_dir=elsewhere)
        assert no_token.returncode == 1 and len(no_token.stderr.splitlines()) == 1
        assert no_token.stderr.startswith(f"comfort-hub sessions: {hub.url}/api/sessions: ")
        assert "Traceback" not in no_token.stderr and not no_token.stdout

    # Without --hub, the folder's sessions, as before.
    assert "local-pair: kim & lee" in (await _sessions(data_dir=elsewhere)).stdout


async def test_a_hub_and_a_data_folder_together_are_refused_in_one_line(tmp_path: Path) -> None:
    both = await _sessions(
        "--hub", "http://127.0.0.1:9", "--data-dir", str(tmp_path), data_dir=tmp_path
    )
    assert both.returncode == 2 and not both.stdout
    assert both.stderr.splitlines() == [
        "comfort-hub sessions: --hub and --data-dir name two places: give --hub for a "
        "running hub's sessions, or --data-dir for a folder's"
    ]
