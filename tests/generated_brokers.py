"""mosquitto on exactly what ``comfort-hub broker-config`` wrote, started the way a user starts
it, and MQTT clients on its accounts: for the tests of the generated broker."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiomqtt
import pytest

from hub import free_loopback_port
from hub.cli import main
from tests.brokers import Mosquitto

PASSWORDS = {
    "COMFORT_HUB_BROKER_PASSWORD_ALEXHUB": "alex-pw",
    "COMFORT_HUB_BROKER_PASSWORD_SAMHUB": "sam-pw",
    "COMFORT_HUB_BROKER_PASSWORD_OTHERHUB": "other-pw",
}


def set_hub_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PASSWORDS.items():
        monkeypatch.setenv(name, value)


@dataclass
class Generated:
    broker: Mosquitto
    out: Path
    stdout: str
    stderr: str

    def printed_password(self, hub: str) -> str:
        """The password broker-config made for ``hub`` and printed once."""
        prefix = f"password for hub {hub} "
        (line,) = [line for line in self.stdout.splitlines() if line.startswith(prefix)]
        return line.rsplit(" ", 1)[1]


def broker_config(*args: str) -> tuple[int, str, str]:
    """``comfort-hub broker-config ARGS``: its exit status, what it printed and warned."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["broker-config", *args])
    return status, stdout.getvalue(), stderr.getvalue()


@contextlib.asynccontextmanager
async def generated_broker(
    home: Path, tmp_path: Path, hubs: list[str], *extra: str
) -> AsyncIterator[Generated]:
    """mosquitto started as a user would start it, on exactly what broker-config wrote."""
    port = free_loopback_port()
    out = home / "broker"
    hub_args = [a for h in hubs for a in ("--hub", h)]
    status, stdout, stderr = broker_config(
        "--out", str(out), "--port", str(port), *hub_args, *extra
    )
    assert status == 0, stderr
    broker = Mosquitto(tmp_path, port)
    broker.config = out / "mosquitto.conf"
    await broker.start()
    try:
        yield Generated(broker, out, stdout, stderr)
    finally:
        await broker.stop()


def client(
    broker: Mosquitto,
    user: str | None,
    password: str | None = None,
    *,
    identifier: str | None = None,
    clean_session: bool | None = None,
) -> aiomqtt.Client:
    return aiomqtt.Client(
        "127.0.0.1",
        broker.port,
        username=user,
        password=password,
        identifier=identifier,
        clean_session=clean_session,
    )


async def heard_on(listener: aiomqtt.Client, pattern: str, publish: object) -> set[str]:
    """What ``listener`` hears on ``pattern`` while ``publish()`` runs (and a moment after),
    as ``topic payload``."""
    await listener.subscribe(pattern, qos=1)
    heard: set[str] = set()

    async def listen() -> None:
        async for message in listener.messages:
            heard.add(f"{message.topic} {message.payload!r}")

    task = asyncio.create_task(listen())
    try:
        await publish()  # type: ignore[operator]
        await asyncio.sleep(0.5)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return heard
