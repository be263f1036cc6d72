"""Hubs in processes of their own (``tests/hub_process.py``), for tests that kill or freeze them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from tests.helpers import wait_until


class HubProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.events: list[dict[str, Any]] = []
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(
        cls, pair_id: str, port: int, data_dir: Path, wearers: str = "alex,sam"
    ) -> HubProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.hub_process",
            pair_id,
            str(port),
            str(data_dir),
            wearers,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=Path(__file__).parent.parent,
        )
        hub = cls(process)
        try:
            await wait_until(lambda: bool(hub.saw(type="ready")), within_s=20)
        except BaseException:
            await hub.close()
            raise
        return hub

    @classmethod
    @contextlib.asynccontextmanager
    async def running(
        cls, pair_id: str, port: int, data_dir: Path, wearers: str = "alex,sam"
    ) -> AsyncIterator[HubProcess]:
        """A hub process for the block (killed at its end, if nothing killed it before)."""
        hub = await cls.start(pair_id, port, data_dir, wearers)
        try:
            yield hub
        finally:
            await hub.close()

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            self.events.append(json.loads(line))

    def saw(self, **fields: object) -> list[dict[str, Any]]:
        return [e for e in self.events if all(e.get(k) == v for k, v in fields.items())]

    async def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{command}\n".encode())
        await self.process.stdin.drain()

    def freeze(self) -> None:
        """Stops the process where it stands (SIGSTOP): connected, but silent."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()  # SIGKILL: no goodbye, no chance to save anything more
            # A frozen process dies only once it runs again; one already gone needs nothing.
            with contextlib.suppress(ProcessLookupError):
                self.thaw()
        await self.process.wait()
        await self._reader

    async def close(self) -> None:
        await self.kill()
