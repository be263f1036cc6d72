"""Real MQTT brokers for tests: a mosquitto process, or the hub's embedded broker."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import shutil
import signal
from collections.abc import AsyncIterator
from pathlib import Path

from hub import BrokerAddress, embedded_broker, free_loopback_port


def mosquitto_binary() -> str:
    found = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    if found is None:
        raise RuntimeError(
            "mosquitto is not installed; `make test` installs it (or: apt-get install mosquitto)"
        )
    return found


class Mosquitto:
    """A mosquitto broker on a free loopback port, started and stopped by the test."""

    def __init__(self, workdir: Path, port: int | None = None, *, settings: str = "") -> None:
        self.port = port or free_loopback_port()
        self.config = workdir / f"mosquitto-{self.port}.conf"
        self.log = workdir / f"mosquitto-{self.port}.log"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\npersistence false\n"
            # Started as root, mosquitto drops to its own user, who cannot read the test's
            # private temporary folder; stay whoever runs the tests.
            f"user {getpass.getuser()}\n"
            f"log_dest file {self.log}\nlog_type error\nlog_type warning\n"
            + (settings or "allow_anonymous true\n")
        )
        self._process: asyncio.subprocess.Process | None = None

    @property
    def address(self) -> BrokerAddress:
        return BrokerAddress("127.0.0.1", self.port)

    async def start(self) -> None:
        # A configuration with no log_dest of its own (broker-config's) logs to stderr.
        with self.log.open("ab") as stderr:
            self._process = await asyncio.create_subprocess_exec(
                mosquitto_binary(),
                "-c",
                str(self.config),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=stderr,
            )
        async with asyncio.timeout(10):
            while True:
                if self._process.returncode is not None:
                    said = self.log.read_text(errors="replace").strip().splitlines()
                    last = said[-1] if said else "nothing logged"
                    raise RuntimeError(f"mosquitto exited at start ({last}); see {self.log}")
                with contextlib.suppress(OSError):
                    _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                    writer.close()
                    await writer.wait_closed()
                    return
                await asyncio.sleep(0.02)

    async def kill(self) -> None:
        """Ends the broker at once, as a crash or a pulled plug would."""
        await self._end(signal.SIGKILL)

    async def stop(self) -> None:
        await self._end(signal.SIGTERM)

    async def _end(self, how: signal.Signals) -> None:
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.send_signal(how)
        try:
            async with asyncio.timeout(5):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


@contextlib.asynccontextmanager
async def running_broker(kind: str, workdir: Path) -> AsyncIterator[BrokerAddress]:
    if kind == "mosquitto":
        broker = Mosquitto(workdir)
        await broker.start()
        try:
            yield broker.address
        finally:
            await broker.stop()
    else:
        async with embedded_broker() as address:
            yield address
