from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub._broker import BrokerAddress
from tests.brokers import Mosquitto, running_broker

_pair_numbers = itertools.count()


@pytest.fixture
def pair_id(request: pytest.FixtureRequest) -> str:
    """A pair name of its own for each test, so no two tests share MQTT topics."""
    return f"t{next(_pair_numbers)}-{abs(hash(request.node.nodeid)) % 10**8}"


@pytest.fixture(params=["mosquitto", "embedded"])
async def broker(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BrokerAddress]:
    """A real broker: mosquitto in its own process, then the hub's embedded one."""
    async with running_broker(request.param, tmp_path) as address:
        yield address


@pytest.fixture
async def mosquitto(tmp_path: Path) -> AsyncIterator[Mosquitto]:
    """A mosquitto process of the test's own, which the test may kill and start again."""
    broker = Mosquitto(tmp_path)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()
