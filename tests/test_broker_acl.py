"""The example ACL (config/mosquitto/) holds each side to its own topics, in mosquitto."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import aiomqtt
import pytest

from tests.brokers import Mosquitto
from tests.helpers import wait_until

ACL = Path(__file__).parent.parent / "config" / "mosquitto" / "comfort-hub.acl"


def password_file(tmp_path: Path, users: dict[str, str]) -> Path:
    tool = shutil.which("mosquitto_passwd")
    if tool is None:
        pytest.fail("mosquitto_passwd (Debian package mosquitto) is needed for this test")
    path = tmp_path / "passwd"
    path.touch()
    for user, password in users.items():
        subprocess.run([tool, "-b", str(path), user, password], check=True)
    return path


async def test_a_side_can_publish_only_on_its_own_wearer_topics(tmp_path: Path) -> None:
    passwords = password_file(tmp_path, {"alex": "a-secret", "sam": "s-secret"})
    broker = Mosquitto(
        tmp_path,
        settings=f"allow_anonymous false\npassword_file {passwords}\nacl_file {ACL}\n",
    )
    await broker.start()
    heard: list[tuple[str, dict[str, object]]] = []
    try:
        async with (
            aiomqtt.Client("127.0.0.1", broker.port, username="sam", password="s-secret") as sam,
            aiomqtt.Client("127.0.0.1", broker.port, username="alex", password="a-secret") as alex,
        ):
            await alex.subscribe("comfort/v1/room/#", qos=1)

            async def listen() -> None:
                async for message in alex.messages:
                    heard.append((str(message.topic), json.loads(bytes(message.payload))))  # type: ignore[arg-type,unused-ignore]

            listener = asyncio.create_task(listen())
            # sam pretends to lift alex's stop: the broker drops it.
            await sam.publish("comfort/v1/room/alex/signal", b'{"signal": "resume"}', qos=1)
            # sam's own topics are fine.
            await sam.publish("comfort/v1/room/sam/ack", b'{"id": "x", "by": "sam"}', qos=1)
            await wait_until(lambda: bool(heard))
            await asyncio.sleep(0.3)
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
    finally:
        await broker.stop()
    assert heard == [("comfort/v1/room/sam/ack", {"id": "x", "by": "sam"})]


async def test_a_wrong_password_is_refused(tmp_path: Path) -> None:
    passwords = password_file(tmp_path, {"alex": "a-secret"})
    broker = Mosquitto(
        tmp_path,
        settings=f"allow_anonymous false\npassword_file {passwords}\nacl_file {ACL}\n",
    )
    await broker.start()
    try:
        with pytest.raises(aiomqtt.MqttError):
            async with aiomqtt.Client("127.0.0.1", broker.port, username="alex", password="guess"):
                pass
    finally:
        await broker.stop()
