"""``comfort-hub run --simulated`` in a process of its own, and ``comfort-hub sim`` beside it.

The hub is the installed command, configured by a file, on a real broker; the tests look at
it as a user does: through its page's API and what it prints.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from hub import BrokerAddress, free_loopback_port

WearerStatus = dict[str, Any]
# Each running simulated hub, by URL: `comfort-hub sim` is given the token of the wearer it
# acts for (one wearer's token never acts for the other).
_HUBS: dict[str, SimulatedHub] = {}


@dataclass
class SimulatedHub:
    url: str
    lines: list[str] = field(default_factory=list)

    @property
    def token(self) -> str:
        """alex's page token, from the link the hub printed (any wearer's reads the status)."""
        return self.token_of("alex")

    def token_of(self, wearer: str) -> str:
        """``wearer``'s page token, from the link the hub printed for them."""
        for line in self.lines:
            found = re.search(rf"{re.escape(wearer)}'s page: \S+token=(\S+)", line)
            if found:
                return found[1]
        raise LookupError(f"the hub has not printed {wearer}'s page link")

    async def status(self) -> dict[str, WearerStatus]:
        """The page's view of each wearer, by name."""
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(base_url=self.url, headers=headers) as web:
            answer = await web.get("/api/status")
        answer.raise_for_status()
        return {w["name"]: w for w in answer.json()["wearers"]}

    async def wait_for(
        self, holds: Callable[[dict[str, WearerStatus]], bool], within_s: float = 10.0
    ) -> dict[str, WearerStatus]:
        """Polls the page's status until ``holds``; fails the test otherwise."""
        async with asyncio.timeout(within_s):
            while True:
                status = await self.status()
                if holds(status):
                    return status
                await asyncio.sleep(0.05)

    async def wait_for_line(self, text: str, within_s: float = 10.0) -> None:
        async with asyncio.timeout(within_s):
            while not any(text in line for line in self.lines):  # noqa: ASYNC110 - plain data
                await asyncio.sleep(0.02)

    def output(self) -> str:
        return "".join(self.lines)


def write_config(
    tmp_path: Path, broker: BrokerAddress, web_port: int, profiles: dict[str, str]
) -> Path:
    devices = "".join(
        f'\n[[devices]]\nwearer = "{wearer}"\nprofile = "{profile}"\n'
        for wearer, profile in profiles.items()
    )
    path = tmp_path / "hub.toml"
    path.write_text(
        f"""
pair = "tryout"
wearers = ["alex", "sam"]
state_path = "{tmp_path / "state.sqlite3"}"
data_dir = "{tmp_path / "data"}"
broker = "mqtt://{broker.host}:{broker.port}"

[web]
port = {web_port}
{devices}"""
    )
    return path


@contextlib.asynccontextmanager
async def simulated_hub(
    tmp_path: Path, broker: BrokerAddress, profiles: dict[str, str] | None = None
) -> AsyncIterator[SimulatedHub]:
    """A simulated hub for alex and sam (Bangle.js twins unless ``profiles`` says otherwise),
    ready once the page says both wearables and the broker are connected."""
    port = free_loopback_port()
    config = write_config(tmp_path, broker, port, profiles or {"alex": "bangle", "sam": "bangle"})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub",
        "run",
        "--config",
        str(config),
        "--simulated",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    hub = SimulatedHub(f"http://127.0.0.1:{port}")

    async def read() -> None:
        assert process.stdout is not None
        while line := (await process.stdout.readline()).decode():
            hub.lines.append(line)

    reader = asyncio.create_task(read())
    try:
        async with asyncio.timeout(30):
            while True:
                assert process.returncode is None, f"the hub ended early: {hub.output()}"
                with contextlib.suppress(httpx.TransportError, LookupError):
                    status = await hub.status()
                    if all(w["connected"] for w in status.values()):
                        break
                await asyncio.sleep(0.1)
        await hub.wait_for_line("MQTT broker connected")
        _HUBS[hub.url] = hub
        yield hub
    finally:
        _HUBS.pop(hub.url, None)
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(15):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()
        await reader


async def answering(url: str, within_s: float = 10.0) -> None:
    """Waits until a page is served at ``url``."""
    async with asyncio.timeout(within_s), httpx.AsyncClient(base_url=url) as web:
        while True:
            with contextlib.suppress(httpx.TransportError):
                await web.get("/api/status")
                return
            await asyncio.sleep(0.05)


def _token_for(hub_url: str, wearer: str) -> str:
    """The token of the wearer acted for; alex's for a name the hub printed no link for."""
    hub = _HUBS[hub_url]
    try:
        return hub.token_of(wearer)
    except LookupError:
        return hub.token


async def sim(hub_url: str, *args: str) -> tuple[int, str, str]:
    """Runs ``comfort-hub sim ARGS --hub HUB_URL``; its exit status, stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub",
        "sim",
        *args,
        "--hub",
        hub_url,
        *(["--token", _token_for(hub_url, args[1])] if hub_url in _HUBS else []),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
