"""A running hub: the relay, one link per local wearable, and the pair's session."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from firmware_bridge import BleBackends, DeviceEvent, LinkEvent, WearableDriver, WearableLink
from hub._alerts import AlertPlayer
from hub._broker import BrokerAddress
from hub._relay import MqttRelay
from hub._session import Observer, PairSession
from hub._topics import Topics, check_name
from signals import GestureVocabulary


@dataclass(frozen=True, slots=True)
class WearerDevice:
    """A local wearer and the device they wear."""

    wearer: str
    address: str
    driver: WearableDriver


class Hub:
    def __init__(
        self,
        pair_id: str,
        pair: tuple[str, str],
        devices: Sequence[WearerDevice],
        broker: BrokerAddress,
        *,
        observer: Observer,
        backends: BleBackends | None = None,
        vocabulary: GestureVocabulary | None = None,
        client_id: str | None = None,
    ) -> None:
        for name in pair:
            check_name("wearer", name)
        self.topics = Topics(check_name("pair", pair_id))
        self.relay = MqttRelay(
            broker,
            self.topics,
            client_id=client_id or f"comfort-hub-{pair_id}-{uuid.uuid4().hex[:8]}",
        )
        self.links = {
            device.wearer: WearableLink(
                device.address,
                device.driver,
                on_event=self._forward_event(device.wearer),
                on_link=self._forward_link(device.wearer),
                backends=backends,
            )
            for device in devices
        }
        self.players = {wearer: AlertPlayer(link.play) for wearer, link in self.links.items()}
        self.session = PairSession(
            pair, self.players, self.relay, observer=observer, vocabulary=vocabulary
        )

    def _forward_event(self, wearer: str) -> Callable[[DeviceEvent], None]:
        def forward(event: DeviceEvent) -> None:
            self.session.device_event(wearer, event)

        return forward

    def _forward_link(self, wearer: str) -> Callable[[LinkEvent], None]:
        def forward(event: LinkEvent) -> None:
            self.session.link_event(wearer, event)

        return forward

    async def run(self) -> None:
        """Runs until cancelled."""
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self.relay.run(self.session))
                for link in self.links.values():
                    tasks.create_task(link.run())
        finally:
            for player in self.players.values():
                await player.close()

    async def ready(self) -> None:
        """Waits until the broker and every local wearable are connected."""
        await self.relay.connected.wait()
        for link in self.links.values():
            await link.connected.wait()
