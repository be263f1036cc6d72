"""The system mosquitto on a free loopback port: for benchmarks, the soak and the tests.

:class:`MosquittoBroker` writes a configuration into a folder of the caller's and starts,
stops or kills the broker at will (the soak and the tests restart it under running hubs);
:func:`local_mosquitto` is one for a benchmark, in a folder of its own, gone when the block
ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from hub._broker import BrokerAddress, free_loopback_port

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
ANONYMOUS = "allow_anonymous true\n"
BENCH_SETTINGS = (
    ANONYMOUS
    # Hundreds of hubs at once in `bench scale`: no connection limit below that.
    + "max_connections -1\n"
    # As config/mosquitto/mosquitto.conf: no message waits behind a delayed ACK.
    + "set_tcp_nodelay true\n"
)


@dataclass(frozen=True, slots=True)
class RunningBroker:
    address: BrokerAddress
    # The broker's process id when this program started it; None for a broker given by URL.
    pid: int | None


def mosquitto_binary(if_missing: str = "") -> str:
    """The system mosquitto; ``if_missing`` ends the error's advice when there is none."""
    for candidate in (shutil.which("mosquitto"), "/usr/sbin/mosquitto"):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError(f"mosquitto is not installed (apt-get install mosquitto){if_missing}")


class MosquittoBroker:
    """A mosquitto on a loopback port (a free one unless given), its configuration and log
    in ``workdir``; ``settings`` are the configuration's last lines (who may connect)."""

    def __init__(
        self,
        workdir: Path,
        port: int | None = None,
        *,
        settings: str = ANONYMOUS,
        log_types: Sequence[str] = ("error",),
        if_missing: str = "",
    ) -> None:
        self.port = port or free_loopback_port()
        self.config = workdir / f"mosquitto-{self.port}.conf"
        self.log = workdir / f"mosquitto-{self.port}.log"
        self._if_missing = if_missing
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\npersistence false\n"
            # Started as root, mosquitto drops to its own user, who cannot read the caller's
            # private folder; stay whoever runs it. (Any other user cannot switch.)
            + (f"user {getpass.getuser()}\n" if os.geteuid() == 0 else "")
            + f"log_dest file {self.log}\n"
            + "".join(f"log_type {kind}\n" for kind in log_types)
            + settings
        )
        self._process: asyncio.subprocess.Process | None = None

    @property
    def address(self) -> BrokerAddress:
        return BrokerAddress("127.0.0.1", self.port)

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    async def start(self) -> None:
        """Starts the broker and returns once it takes connections."""
        # A configuration with no log_dest of its own (broker-config's) logs to stderr.
        with self.log.open("ab") as stderr:
            self._process = await asyncio.create_subprocess_exec(
                mosquitto_binary(self._if_missing),
                "-c",
                str(self.config),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=stderr,
            )
        async with asyncio.timeout(START_TIMEOUT_S):
            while True:
                if self._process.returncode is not None:
                    raise RuntimeError(
                        f"mosquitto exited at start ({self._last_logged()}); see {self.log}"
                    )
                with contextlib.suppress(OSError):
                    _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                    writer.close()
                    await writer.wait_closed()
                    return
                await asyncio.sleep(0.02)

    def freeze(self) -> None:
        """Stops the broker where it stands (SIGSTOP): connections stay open, unanswered."""
        if self._process is not None and self._process.returncode is None:
            self._process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.send_signal(signal.SIGCONT)

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
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGCONT)  # a frozen broker ends only once it runs again
        try:
            async with asyncio.timeout(STOP_TIMEOUT_S):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()

    def _last_logged(self) -> str:
        try:
            said = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "nothing logged"
        return said[-1] if said else "nothing logged"


@contextlib.asynccontextmanager
async def local_mosquitto() -> AsyncIterator[RunningBroker]:
    """A benchmark's own mosquitto: anonymous, no connection limit, no delayed ACKs."""
    with tempfile.TemporaryDirectory(prefix="comfort-bench-") as workdir:
        broker = MosquittoBroker(
            Path(workdir),
            settings=BENCH_SETTINGS,
            if_missing=", or give --broker mqtt://host:port",
        )
        await broker.start()
        try:
            yield RunningBroker(broker.address, broker.pid)
        finally:
            await broker.stop()
