"""``comfort-hub demo`` as a user runs it."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from hub import free_loopback_port
from tests.brokers import Mosquitto
from tests.simulated_hub import simulated_hub


async def _run_demo(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub",
        "demo",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=None if env is None else {**os.environ, **env},
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return subprocess.CompletedProcess(args, process.returncode, out.decode(), err.decode())


@pytest.mark.timeout(90)
async def test_demo_runs_the_whole_scenario_through_mosquitto_and_exits_cleanly(
    tmp_path: Path,
) -> None:
    broker = Mosquitto(tmp_path)
    await broker.start()
    try:
        result = await _run_demo("--duration", "21", "--no-web", "--broker", str(broker.address))
    finally:
        await broker.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for expected in (
        r"alex signals SLOW_DOWN",
        r"sam's wearable buzzes SLOW_DOWN [0-9.]+ ms after alex's gesture",
        r"alex signals PAUSE",
        r"alex signals STOP \(button",
        r"sam's wearable buzzes STOP",
        r"alex feels the confirmation: sam noticed",
        r"sam has not acknowledged alex's STOP: alert 2, now with sound",
        r"alex signals RESUME",
        r"sam's wearable .*: LOST",
        r"sam's side says PAUSE for them \(link",
        r"alex's wearable buzzes PAUSE [0-9.]+ ms after sam's link event",
        r"signals sent +6: slow_down, pause, stop, resume, pause, resume",
        r"confirmations felt +3",
        r"gesture -> partner buzz, on the wrists: median [0-9.]+ ms",
    ):
        assert any(re.search(expected, line) for line in lines), (expected, result.stdout)
    assert "(embedded)" not in result.stdout


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--broker", "http://example"], "scheme must be mqtt://"),
        (["--broker", "mqtt://host:notaport"], "port is not a number"),
        (["--duration", "-3"], "duration must be positive"),
        (["--web-port", "70000"], "--web-port: expected a port from 0 (any free one) to 65535"),
        (["--web-port", "web"], "--web-port: expected a port from 0 (any free one) to 65535"),
    ],
)
async def test_bad_demo_arguments_are_refused_with_the_reason(
    args: list[str], complaint: str
) -> None:
    result = await _run_demo(*args)
    assert result.returncode == 2
    assert complaint in result.stderr


@pytest.mark.timeout(90)
async def test_the_timeline_link_the_demo_prints_opens_on_the_hub_run_afterwards(
    tmp_path: Path, mosquitto: Mosquitto
) -> None:
    port = free_loopback_port()
    data = tmp_path / "data"  # the folder simulated_hub's configuration names
    result = await _run_demo(
        "--duration", "3", "--web-port", str(port), "--data-dir", str(data),
        "--broker", str(mosquitto.address),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    printed = re.search(r"and at (http://\S+)", result.stdout)
    assert printed, result.stdout
    link = urlsplit(printed[1])
    assert link.netloc == f"127.0.0.1:{port}" and link.path.startswith("/sessions/")

    # The user then runs a hub on that data folder (on a port of its own here) and opens it.
    async with (
        simulated_hub(tmp_path, mosquitto.address) as hub,
        httpx.AsyncClient(base_url=hub.url, follow_redirects=True) as browser,
    ):
        page = await browser.get(f"{link.path}?{link.query}")
        assert page.status_code == 200, page.text
        assert page.url.path == link.path, "the token leaves the address bar"
        session_id = link.path.rsplit("/", 1)[1]
        timeline = await browser.get(f"/api/sessions/{session_id}/timeline")
        assert timeline.status_code == 200, timeline.text
        assert timeline.json()["session"]["demo"] is True


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


async def test_a_busy_web_port_is_named_with_the_flag_that_chose_it(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        result = await _run_demo(
            "--duration", "2", "--web-port", str(busy), "--data-dir", str(tmp_path / "data")
        )
    assert result.returncode == 1
    assert _one_line(result.stderr) == (
        f"comfort-hub demo: web port {busy} on 127.0.0.1 is in use "
        "(set --web-port to another, or 0 for any free one)"
    )


@pytest.fixture
async def locked_broker(tmp_path: Path) -> AsyncIterator[Mosquitto]:
    """A mosquitto that lets in only user "demo" with password "secret"."""
    passwords = tmp_path / "passwd"
    passwords.touch()
    made = await asyncio.create_subprocess_exec(
        "mosquitto_passwd", "-b", str(passwords), "demo", "secret"
    )
    assert await made.wait() == 0
    broker = Mosquitto(tmp_path, settings=f"allow_anonymous false\npassword_file {passwords}\n")
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()


@pytest.mark.parametrize("credentials", [{}, {"COMFORT_HUB_BROKER_USERNAME": "demo"}])
async def test_a_broker_that_refuses_the_demo_is_one_line_saying_how_to_log_in(
    tmp_path: Path, locked_broker: Mosquitto, credentials: dict[str, str]
) -> None:
    result = await _run_demo(
        "--no-web", "--duration", "2", "--data-dir", str(tmp_path / "data"),
        "--broker", str(locked_broker.address),
        env={"COMFORT_HUB_BROKER_USERNAME": "", "COMFORT_HUB_BROKER_PASSWORD": "", **credentials},
    )  # fmt: skip
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert line.startswith(f"comfort-hub demo: the broker at {locked_broker.address} refused")
    assert "not authorized" in line and "COMFORT_HUB_BROKER_PASSWORD" in line, line
    assert "could not reach" not in result.stdout


@pytest.mark.timeout(60)
async def test_the_demo_logs_in_with_the_credentials_in_the_environment(
    tmp_path: Path, locked_broker: Mosquitto
) -> None:
    result = await _run_demo(
        "--no-web", "--duration", "2", "--data-dir", str(tmp_path / "data"),
        "--broker", str(locked_broker.address),
        env={"COMFORT_HUB_BROKER_USERNAME": "demo", "COMFORT_HUB_BROKER_PASSWORD": "secret"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "alex signals SLOW_DOWN" in result.stdout
