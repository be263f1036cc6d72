"""A mosquitto of the benchmark's own on a free loopback port, gone when the block ends."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from hub._broker import BrokerAddress, free_loopback_port

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class RunningBroker:
    address: BrokerAddress
    # The broker's process id when this program started it; None for a broker given by URL.
    pid: int | None


def mosquitto_binary() -> str:
    for candidate in (shutil.which("mosquitto"), "/usr/sbin/mosquitto"):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError(
        "mosquitto is not installed (apt-get install mosquitto), or give --broker mqtt://host:port"
    )


@contextlib.asynccontextmanager
async def local_mosquitto() -> AsyncIterator[RunningBroker]:
    port = free_loopback_port()
    with tempfile.TemporaryDirectory(prefix="comfort-bench-") as workdir:
        config = Path(workdir) / "mosquitto.conf"
        log = Path(workdir) / "mosquitto.log"
        config.write_text(
            f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            # Started as root, mosquitto would drop to its own user, who cannot read this
            # private folder; stay whoever runs the benchmark.
            f"user {getpass.getuser()}\nlog_dest file {log}\nlog_type error\n"
            # Hundreds of hubs at once in `bench scale`: no connection limit below that.
            "max_connections -1\n"
            # As config/mosquitto/mosquitto.conf: no message waits behind a delayed ACK.
            "set_tcp_nodelay true\n"
        )
        process = await asyncio.create_subprocess_exec(
            mosquitto_binary(),
            "-c",
            str(config),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await _until_listening(process, port, log)
            yield RunningBroker(BrokerAddress("127.0.0.1", port), process.pid)
        finally:
            await _stop(process)


async def _until_listening(process: asyncio.subprocess.Process, port: int, log: Path) -> None:
    async with asyncio.timeout(START_TIMEOUT_S):
        while True:
            if process.returncode is not None:
                raise RuntimeError(f"mosquitto exited at start: {_tail(log)}")
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                await writer.wait_closed()
                return
            await asyncio.sleep(0.02)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(STOP_TIMEOUT_S):
            await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()


def _tail(log: Path) -> str:
    try:
        lines = log.read_text().strip().splitlines()
    except OSError:
        return "no log"
    return lines[-1] if lines else "no log"
