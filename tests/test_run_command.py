"""``comfort-hub run`` from a configuration file, on simulated twins."""

from __future__ import annotations

import asyncio
import signal
import stat
import sys
from pathlib import Path

import pytest

from hub.store import DATABASE_NAME, StoreReader


def config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(
        f"""
pair = "tryout"
wearers = ["alex", "sam"]
{extra}
[web]
enabled = false

[[devices]]
wearer = "alex"
profile = "bangle"

[[devices]]
wearer = "sam"
profile = "pinetime"
"""
    )
    return path


async def start(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub",
        "run",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.timeout(60)
async def test_run_connects_the_configured_devices_and_stops_cleanly_on_sigterm(
    tmp_path: Path, data_dir: Path
) -> None:
    process = await start("--config", str(config(tmp_path)), "--simulated")
    assert process.stdout is not None
    lines: list[str] = []
    async with asyncio.timeout(30):
        while not (
            sum("connected" in line for line in lines) >= 3  # two wearables and the broker
        ):
            line = (await process.stdout.readline()).decode()
            assert line, f"the hub ended early: {lines}"
            lines.append(line)
    process.send_signal(signal.SIGTERM)
    rest, _ = await process.communicate()
    assert process.returncode == 0
    output = "".join(lines) + rest.decode()
    assert "alex's wearable C0:FF:EE:00:10:01: connected" in output
    assert "sam's wearable C0:FF:EE:00:10:02: connected" in output
    assert "hub stopped" in output
    store = StoreReader(data_dir / DATABASE_NAME)  # COMFORT_HUB_DATA_DIR
    (session,) = store.sessions()
    assert (session.started_by, session.ended_by) == ("wearables connected", "hub stopped")
    links = [(e.wearer, e.data["state"]) for e in store.events(session.id) if e.kind == "link"]
    assert ("alex", "connected") in links and ("sam", "connected") in links


async def test_a_bad_configuration_is_refused_naming_the_file_and_field(tmp_path: Path) -> None:
    path = config(tmp_path).read_text().replace('profile = "pinetime"', 'profile = "fitbit"')
    (tmp_path / "bad.toml").write_text(path)
    process = await start("--config", str(tmp_path / "bad.toml"))
    _, err = await process.communicate()
    assert process.returncode == 2
    assert "bad.toml" in err.decode()
    assert "unknown profile 'fitbit'" in err.decode()


async def test_the_hubs_files_are_private_and_a_readable_one_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    leaked = data / "old-export.csv"
    leaked.write_text("heart rate")
    leaked.chmod(0o644)
    process = await start("--config", str(config(tmp_path)), "--simulated")
    assert process.stdout is not None
    lines: list[str] = []
    async with asyncio.timeout(30):
        while sum("connected" in line for line in lines) < 3:
            line = (await process.stdout.readline()).decode()
            assert line, f"the hub ended early: {lines}"
            lines.append(line)
    process.send_signal(signal.SIGTERM)
    rest, _ = await process.communicate()
    output = "".join(lines) + rest.decode()
    assert f"warning: {leaked} can be read by other users" in output
    assert "made a new pair key for 'tryout'" in output
    written = [p for p in data.rglob("*") if p.is_file() and p != leaked]
    assert {"pair-tryout.key", "counters-tryout.json"} <= {p.name for p in written}
    assert len(written) > 2, "the event store is kept there too"
    for private in written:
        assert stat.S_IMODE(private.stat().st_mode) == 0o600, private
