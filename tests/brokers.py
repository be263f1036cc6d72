"""Real MQTT brokers for tests: a mosquitto process, or the hub's embedded broker."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from hub import BrokerAddress, embedded_broker
from hub.lab import MosquittoBroker


class Mosquitto(MosquittoBroker):
    """A mosquitto broker on a free loopback port, started and stopped by the test: anonymous
    unless ``settings`` say who may connect, and its warnings logged too."""

    def __init__(self, workdir: Path, port: int | None = None, *, settings: str = "") -> None:
        super().__init__(
            workdir,
            port,
            settings=settings or "allow_anonymous true\n",
            log_types=("error", "warning"),
            if_missing="; `make test` installs it",
        )


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
