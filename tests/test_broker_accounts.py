"""The generated broker's accounts against a real mosquitto: no account can take a hub's
client id (and with it the hub's connection and its queued messages), Home Assistant's
account reads only what its entities show, and retained states outlive a broker crash."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import aiomqtt
import pytest

from tests.generated_brokers import (
    client,
    generated_broker,
    heard_on,
    set_hub_passwords,
)
from tests.helpers import wait_until

HUBS = ["alexhub:room:alex", "samhub:room:sam"]
# The client id alex's hub asks for (docs/protocol.md: comfort-hub-<pair>-<hub-id>).
ALEX_HUB_ID = "comfort-hub-room-alex"
SIGNALS = "comfort/v1/room/+/signal"


@pytest.fixture(autouse=True)
def hub_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    set_hub_passwords(monkeypatch)


async def next_payload(listener: aiomqtt.Client) -> bytes:
    async with asyncio.timeout(5):
        async for message in listener.messages:
            return bytes(message.payload)
    raise AssertionError("the connection ended")


async def test_another_account_with_a_hubs_client_id_takes_neither_its_queue_nor_its_connection(
    broker_home: Path, tmp_path: Path
) -> None:
    async with generated_broker(broker_home, tmp_path, HUBS, "--home-assistant") as generated:
        impostor_password = generated.printed_password("homeassistant")

        def impostor() -> aiomqtt.Client:
            return client(
                generated.broker,
                "homeassistant",
                impostor_password,
                identifier=ALEX_HUB_ID,
                clean_session=False,
            )

        def alex_hub() -> aiomqtt.Client:
            return client(
                generated.broker,
                "alexhub",
                "alex-pw",
                identifier=ALEX_HUB_ID,
                clean_session=False,
            )

        stolen: list[bytes] = []

        async def collect(by: aiomqtt.Client) -> None:
            with contextlib.suppress(aiomqtt.MqttError):
                async for message in by.messages:
                    stolen.append(bytes(message.payload))

        # alex's hub has its persistent session, and goes away (restarting, say).
        async with alex_hub() as alex:
            await alex.subscribe(SIGNALS, qos=1)
        async with client(generated.broker, "samhub", "sam-pw") as sam:
            await sam.publish("comfort/v1/room/sam/signal", b"stop while away", qos=1)
            # Someone else asks for the hub's client id while the hub is away...
            async with impostor() as first:
                taking = asyncio.create_task(collect(first))
                # ...and the hub, back, still gets what was queued for it.
                async with alex_hub() as alex:
                    assert await next_payload(alex) == b"stop while away"
                    taking.cancel()
                    await asyncio.gather(taking, return_exceptions=True)
                    # Asked for again while the hub is connected, the id does not knock it
                    # off: the hub hears the next signal on the same connection.
                    async with impostor() as second:
                        await sam.publish("comfort/v1/room/sam/signal", b"pause", qos=1)
                        assert await next_payload(alex) == b"pause"
                        await collect_briefly(second, stolen)
    assert stolen == []


async def collect_briefly(by: aiomqtt.Client, into: list[bytes]) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(0.3):
            async for message in by.messages:
                into.append(bytes(message.payload))


async def test_home_assistant_reads_what_its_entities_show_and_nothing_else_of_the_pair(
    broker_home: Path, tmp_path: Path
) -> None:
    async with generated_broker(broker_home, tmp_path, HUBS, "--home-assistant") as generated:
        password = generated.printed_password("homeassistant")
        async with (
            client(generated.broker, "homeassistant", password) as home,
            client(generated.broker, "samhub", "sam-pw") as sam,
        ):

            async def sam_publishes_on_all_its_topics() -> None:
                for topic in [
                    "comfort/v1/room/sam/agreement",  # the plan, the safeword: not for it
                    "comfort/v1/room/sam/ack",
                    "comfort/v1/room/sam/state",
                    "comfort/v1/room/sam/rehearsal",
                    "comfort/v1/room/hub/sam/alive",
                    "comfort/v1/room/sam/signal",  # the Signal event entity
                    "comfort/v1/room/sam/link",  # the Wearable link sensor
                    "comfort/v1/room/sam/heart_rate",  # the Heart rate sensor, if shared
                    "comfort/v1/room/hub/sam/status",  # the entities' availability
                    "homeassistant/device/comfort-hub_room_sam/config",  # discovery
                ]:
                    await sam.publish(topic, b"{}", qos=1)

            heard = await heard_on(home, "#", sam_publishes_on_all_its_topics)
            assert heard == {
                "comfort/v1/room/sam/signal b'{}'",
                "comfort/v1/room/sam/link b'{}'",
                "comfort/v1/room/sam/heart_rate b'{}'",
                "comfort/v1/room/hub/sam/status b'{}'",
                "homeassistant/device/comfort-hub_room_sam/config b'{}'",
            }


async def test_a_retained_state_outlives_a_broker_killed_at_once(
    broker_home: Path, tmp_path: Path
) -> None:
    state = "comfort/v1/room/sam/state"
    async with generated_broker(broker_home, tmp_path, HUBS) as generated:
        async with client(generated.broker, "samhub", "sam-pw") as sam:
            await sam.publish(state, b"stop", qos=1, retain=True)
        database = generated.out / "mosquitto.db"

        def saved() -> bool:
            try:
                return state.encode() in database.read_bytes()
            except FileNotFoundError:
                return False

        # Written by the broker on the change itself, not at a clean shutdown.
        await wait_until(saved)
        await generated.broker.kill()
        await generated.broker.start()
        async with client(generated.broker, "alexhub", "alex-pw") as alex:
            await alex.subscribe(state, qos=1)
            assert await next_payload(alex) == b"stop"
