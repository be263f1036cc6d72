"""After a demo: ``comfort-hub timeline latest`` writes a real PNG, CSV and JSON; erase wipes."""

from __future__ import annotations

import asyncio
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hub.store import DATABASE_NAME

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def comfort_hub(*args: str) -> subprocess.CompletedProcess[str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return subprocess.CompletedProcess(args, process.returncode, out.decode(), err.decode())


@pytest.mark.timeout(120)
async def test_a_demo_leaves_a_timeline_to_export_and_erase_leaves_nothing_behind(
    tmp_path: Path, data_dir: Path
) -> None:
    demo = await comfort_hub("demo", "--duration", "21", "--no-web")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "timeline of session " in demo.stdout
    page = Path(demo.stdout.split("timeline of session ")[1].split(": ", 1)[1].splitlines()[0])
    assert page.is_file() and "uPlot" in page.read_text()

    listed = await comfort_hub("sessions")
    assert "(demo)" in listed.stdout and "demo finished" in listed.stdout

    for image_format in ("png", "csv", "json"):
        done = await comfort_hub(
            "timeline",
            "latest",
            "--format",
            image_format,
            "--out",
            str(tmp_path / f"t.{image_format}"),
        )
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "t.png").read_bytes().startswith(PNG_SIGNATURE)
    with (tmp_path / "t.csv").open() as rows:
        stops = [r for r in csv.DictReader(rows) if r["type"] == "signal" and r["signal"] == "stop"]
    assert len(stops) == 1
    session = json.loads((tmp_path / "t.json").read_text())
    (stop,) = [e for e in session["events"] if e["type"] == "signal" and e["signal"] == "stop"]
    assert [
        e["wearer"] for e in session["events"] if e["type"] == "ack" and e["id"] == stop["id"]
    ] == ["sam"]
    assert session["heart"]["alex"]["bpm"], "the demo's heart rate is kept"

    # Erase everything: no session id, signal id or signal name is left in the file's bytes.
    secrets = [session["session"]["id"], *(e["id"] for e in session["events"] if "id" in e)]
    secrets += ["slow_down", "check_in", '"signal"']
    erased = await comfort_hub("erase", "--all")
    assert erased.returncode == 0, erased.stderr
    assert "erased 1 session(s)" in erased.stdout
    files = [p for p in data_dir.iterdir() if p.name.startswith(DATABASE_NAME)]
    contents = b"".join(p.read_bytes() for p in files)
    assert contents, "the database file is still there"
    found = [s for s in secrets if s.encode() in contents]
    assert not found
    assert not page.exists(), "the demo's exported timeline goes too"
    assert (await comfort_hub("sessions")).stdout.strip() == "no sessions yet"


async def test_an_unknown_session_is_named(data_dir: Path) -> None:
    await comfort_hub("erase", "--all")  # nothing there yet
    result = await comfort_hub("timeline", "nope", "--format", "csv", "--out", "/dev/null")
    assert result.returncode == 1
    assert "no event store here yet" in result.stderr or "no session 'nope'" in result.stderr
