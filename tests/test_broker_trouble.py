"""A hub the generated broker will not keep says why, once, and keeps serving and retrying:
credentials the broker refuses, and another client taking the hub's client id."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiomqtt
import pytest

from firmware_bridge.sim import SimRadio
from hub import BrokerAddress
from signals import ComfortSignal, pattern_for
from tests.generated_brokers import (
    Generated,
    client,
    generated_broker,
    set_hub_passwords,
)
from tests.helpers import wait_until
from tests.hubs import running_hub, times_played, two_watches


class RelayLog(logging.Handler):
    """What the relay logs. Its own handler: broker-config, run through the command line
    here, sets up logging afresh and drops any handler already on the root logger."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def retries(self) -> int:
        return sum("reconnecting in" in line for line in self.lines)

    def saying(self, words: str) -> list[str]:
        return [line for line in self.lines if words in line]


@pytest.fixture(autouse=True)
def hub_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    set_hub_passwords(monkeypatch)


@pytest.fixture
def relay_log() -> Iterator[RelayLog]:
    logger = logging.getLogger("hub._relay")
    handler, level = RelayLog(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.mark.parametrize(
    ("username", "password", "said"),
    [
        ("alexhub", "wrong", "not authorized as user 'alexhub': the user name/password are wrong"),
        (None, None, "not authorized: no user name/password were given"),
    ],
)
async def test_refused_credentials_are_explained_once_and_the_wearers_still_reach_each_other(
    broker_home: Path,
    tmp_path: Path,
    pair_id: str,
    relay_log: RelayLog,
    username: str | None,
    password: str | None,
    said: str,
) -> None:
    hubs = [f"alexhub:{pair_id}:alex,sam"]
    async with generated_broker(broker_home, tmp_path, hubs) as generated:
        address = BrokerAddress("127.0.0.1", generated.broker.port, username, password)
        radio = SimRadio()
        watches = two_watches(radio)
        async with running_hub(address, pair_id, radio, watches, broker_needed=False):
            watches["alex"].press(held_ms=1500)
            await wait_until(
                lambda: times_played(watches["sam"], pattern_for(ComfortSignal.STOP)) == 1
            )
            # It keeps trying at its backoff, and says why only once.
            await wait_until(lambda: relay_log.retries() >= 3, within_s=30)
    assert relay_log.saying("COMFORT_HUB_BROKER_USERNAME") == [
        f"broker {address}: {said} (set COMFORT_HUB_BROKER_USERNAME / COMFORT_HUB_BROKER_PASSWORD,"
        " see docs/operations.md); wearers on this hub still reach each other, and it keeps trying"
    ]


@contextlib.asynccontextmanager
async def another_client_keeps_taking(
    generated: Generated, user: str, password: str
) -> AsyncIterator[None]:
    """A second client on the hub's account (so with its client id) that connects again as
    soon as it is knocked off, as a second hub started with the same configuration does."""

    async def keep_taking() -> None:
        while True:
            with contextlib.suppress(aiomqtt.MqttError):
                async with client(generated.broker, user, password) as taker:
                    async for _ in taker.messages:
                        pass
            await asyncio.sleep(0.05)

    task = asyncio.create_task(keep_taking())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_second_client_taking_the_hubs_client_id_is_named_once(
    broker_home: Path, tmp_path: Path, pair_id: str, relay_log: RelayLog
) -> None:
    hubs = [f"alexhub:{pair_id}:alex", f"samhub:{pair_id}:sam"]
    async with generated_broker(broker_home, tmp_path, hubs) as generated:
        address = BrokerAddress("127.0.0.1", generated.broker.port, "alexhub", "alex-pw")
        radio = SimRadio()
        watches = two_watches(radio)
        async with (
            running_hub(address, pair_id, radio, {"alex": watches["alex"]}),
            another_client_keeps_taking(generated, "alexhub", "alex-pw"),
        ):
            await wait_until(lambda: bool(relay_log.saying("another client")), within_s=30)
            at_first = relay_log.retries()
            await wait_until(lambda: relay_log.retries() >= at_first + 2, within_s=30)
    assert relay_log.saying("another client") == [
        f"broker {address}: another client is using this hub's MQTT client id "
        f"'comfort-hub-{pair_id}-alex' (or its broker account 'alexhub': a broker that ties "
        "client ids to accounts, as broker-config's does) and keeps taking the connection: is "
        "a second hub running with this config? Stop it, or give each hub its own "
        "configuration and broker account"
    ]
