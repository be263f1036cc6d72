"""Someone on the soak's open broker: forged, replayed, reordered, duplicated and malformed
MQTT messages on a pair's topics."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from datetime import UTC, datetime

import aiomqtt

from hub._broker import BrokerAddress
from hub._pair_key import PairKey
from hub._signing import MessageSeal
from hub._soak_pair import DELIVERY_TIMEOUT_S, SoakPair


class Attacker:
    """Someone on the open broker: records the pair's messages and publishes bad ones."""

    def __init__(self, broker: BrokerAddress, pair: SoakPair) -> None:
        self.broker = broker
        self.pair = pair
        self.genuine: list[bytes] = []
        self.injected = 0

    def topic(self, suffix: str) -> str:
        return f"comfort/v1/{self.pair.pair_id}/{suffix}"

    async def attack(self) -> None:
        forged = {
            "id": f"forged-{uuid.uuid4()}",
            "seq": 9,
            "signal": "resume",
            "source": "tap",
            "at": datetime.now(UTC).isoformat(),
        }
        stranger = MessageSeal(PairKey.generate(self.pair.pair_id))
        bad = [
            json.dumps(forged).encode(),  # unsigned
            stranger.seal(self.topic("alex/signal"), json.dumps(forged).encode()),  # wrong key
            b"\x00\xff not json",  # malformed
            json.dumps({**json.loads(self.genuine[-1]), "id": forged["id"]}).encode(),  # altered
        ]
        if len(self.genuine) >= 3:
            # Replayed and reordered: two older genuine signals, newest first.
            bad += [self.genuine[-2], self.genuine[-3]]
        # The broker may be restarting for another pair: try again until it is back.
        async with asyncio.timeout(DELIVERY_TIMEOUT_S):
            while True:
                try:
                    await self._publish(bad)
                    return
                except aiomqtt.MqttError:
                    await asyncio.sleep(0.2)

    async def _publish(self, bad: list[bytes]) -> None:
        async with aiomqtt.Client(self.broker.host, self.broker.port) as client:
            for payload in bad:
                await client.publish(self.topic("alex/signal"), payload, qos=1)
            self.injected += len(bad)
            # Duplicated: the latest genuine signal again; the hubs drop it by id.
            await client.publish(self.topic("alex/signal"), self.genuine[-1], qos=1)

    async def record(self) -> None:
        """Listens for genuine signals, reconnecting after each broker restart."""
        while True:
            with contextlib.suppress(aiomqtt.MqttError):
                async with aiomqtt.Client(self.broker.host, self.broker.port) as client:
                    await client.subscribe(self.topic("alex/signal"), qos=1)
                    await self._keep(client)
            await asyncio.sleep(0.2)

    async def _keep(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            payload = message.payload
            genuine = isinstance(payload, bytes) and b'"mac"' in payload
            if genuine and payload not in self.genuine:
                self.genuine.append(payload)
