"""The partner's side of ``bench latency``'s two-hub path, seen from the benchmark: the
process running the partner's hub and watch (``hub.lab._partner_hub``, run by name and so
never imported here: runpy warns about a module run twice), and the times it reports."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator

from hub._broker import BrokerAddress
from hub._pair_key import PairKey

# A hub and its simulated watches connect within this, or the run fails.
READY_TIMEOUT_S = 15.0
# The partner's watch, in that process on the two-hub path (beside the signaller's on one).
PARTNER_ADDRESS = "BE:0C:00:00:00:02"
# Where that process finds the broker's credentials.
USER_VARIABLE = "COMFORT_BENCH_MQTT_USER"
PASSWORD_VARIABLE = "COMFORT_BENCH_MQTT_PASSWORD"
# ... and the pair key both hubs share (as `comfort-hub pair-key show` prints it).
KEY_VARIABLE = "COMFORT_BENCH_PAIR_KEY"


class RemotePartner:
    """The partner's hub and watch in a process of their own (``hub.lab._partner_hub``)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self._buzzes: list[float] = []
        self._hops: list[float] = []
        self._heard = asyncio.Event()

    async def until_ready(self) -> None:
        assert self._process.stdout is not None
        line = await self._process.stdout.readline()
        if line.strip() != b"ready":
            raise RuntimeError(f"the partner's hub did not start: {line!r}")

    async def listen(self) -> None:
        assert self._process.stdout is not None
        async for line in self._process.stdout:
            word, _, at = line.decode().partition(" ")
            if word in ("buzz", "hop"):
                (self._buzzes if word == "buzz" else self._hops).append(float(at))
                self._heard.set()

    def count(self) -> int:
        return len(self._buzzes)

    async def buzz_at(self, number: int) -> float:
        return await self._nth(self._buzzes, number)

    async def hop_at(self, number: int) -> float:
        """When the partner's process had the bare hop's ``number``-th message."""
        return await self._nth(self._hops, number)

    async def _nth(self, times: list[float], number: int) -> float:
        while len(times) < number:
            self._heard.clear()
            await self._heard.wait()
        return times[number - 1]


@contextlib.asynccontextmanager
async def partner_process(
    broker: BrokerAddress, key: PairKey, hop_topic: str
) -> AsyncIterator[RemotePartner]:
    secrets = {
        USER_VARIABLE: broker.username,
        PASSWORD_VARIABLE: broker.password,
        KEY_VARIABLE: key.to_text(),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub.lab._partner_hub",
        str(broker),
        key.pair,
        hop_topic,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, **{key: value for key, value in secrets.items() if value}},
    )
    partner = RemotePartner(process)
    listening: asyncio.Task[None] | None = None
    try:
        async with asyncio.timeout(READY_TIMEOUT_S):
            await partner.until_ready()
        listening = asyncio.create_task(partner.listen())
        yield partner
    finally:
        if process.returncode is None:
            process.terminate()
        try:
            async with asyncio.timeout(READY_TIMEOUT_S):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()
        if listening is not None:
            listening.cancel()
            await asyncio.gather(listening, return_exceptions=True)
