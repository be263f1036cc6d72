"""What ``comfort-hub broker-config`` writes, and mosquitto started on exactly that, as a user
would start it (the broker tests' shared setup)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from hub import free_loopback_port
from hub.cli import main
from tests.brokers import Mosquitto


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
