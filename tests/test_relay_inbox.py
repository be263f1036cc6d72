"""The relay hands each message on as it is read: in order, after "connected", never its own."""

from __future__ import annotations

import asyncio

from hub._messages import HubStatusMessage, SignalMessage, StateMessage, utc_now
from hub._relay import MqttRelay
from hub._topics import Topics
from signals import ComfortSignal, SignalSource
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import mqtt_peer, pair_seal


class Heard:
    """A relay listener that writes down what it hears, in order."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def on_signal(self, wearer: str, message: SignalMessage) -> None:
        self.said.append(f"{wearer} {message.signal}")

    def on_ack(self, wearer: str, message: object) -> None:
        self.said.append(f"{wearer} ack")

    def on_state(self, wearer: str, message: StateMessage) -> None:
        self.said.append(f"{wearer} state {message.signal}")

    def on_broker(self, connected: bool) -> None:
        self.said.append(f"broker {'up' if connected else 'down'}")

    def on_hub(self, hub: str, message: HubStatusMessage, *, alive: bool) -> None:
        pass


def signal(signal: ComfortSignal, seq: int) -> SignalMessage:
    return SignalMessage(
        id=f"{signal}-{seq}", seq=seq, signal=signal, source=SignalSource.TAP, at=utc_now()
    )


async def test_messages_are_heard_in_order_after_connected_and_its_own_never(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    relay = MqttRelay(
        mosquitto.address,
        Topics(pair_id),
        hub_id="alex",
        wearers=["alex"],
        seal=pair_seal(pair_id),
    )
    heard = Heard()
    async with mqtt_peer(mosquitto.address, pair_id) as sams_side:
        # Retained before alex's hub connects: handed over while it is still subscribing.
        state = StateMessage(signal=ComfortSignal.PAUSE, id="pause-1", seq=1, since=utc_now())
        topic = f"comfort/v1/{pair_id}/sam/state"
        await sams_side.publish_raw(
            "sam/state", sams_side.seal.seal(topic, state.to_json()), retain=True
        )
        running = asyncio.create_task(relay.run(heard))
        try:
            await wait_until(lambda: "sam state pause" in heard.said)
            assert heard.said == ["broker up", "sam state pause"], "connected is said first"

            relay.publish("alex", signal(ComfortSignal.STOP, 0))
            for seq, level in enumerate((ComfortSignal.SLOW_DOWN, ComfortSignal.STOP), start=2):
                await sams_side.publish("sam/signal", signal(level, seq).model_dump(mode="json"))
            await wait_until(lambda: "sam stop" in heard.said)
            await relay.drained()
            await wait_until(lambda: len(sams_side.raw("alex/signal")) == 1)
            await asyncio.sleep(0.2)  # alex's own stop is back at alex's hub by now
            assert heard.said[2:] == ["sam slow_down", "sam stop"], "its own stop is not heard"
            assert relay.refused == 0
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
