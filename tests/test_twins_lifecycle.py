"""Every simulated wearable through the link the hub uses: connect, stream, buzz, drop,
reconnect, stream again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from firmware_bridge import (
    AccelBatch,
    Capability,
    DeviceEvent,
    HeartReading,
    LinkState,
    WearableDriver,
)
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.heart_rate import HeartRateDriver
from firmware_bridge.immediate_alert import ImmediateAlertDriver
from firmware_bridge.microbit import ButtonState, MicrobitDriver
from firmware_bridge.pinetime import MusicEvent, PineTimeDriver
from firmware_bridge.polar import PolarH10Driver
from firmware_bridge.sim import (
    SimRadio,
    SimulatedAlertBand,
    SimulatedBangle,
    SimulatedHeartStrap,
    SimulatedMicrobit,
    SimulatedPeripheral,
    SimulatedPineTime,
    SimulatedPolarH10,
)
from signals import CONFIRMATION, InputEvent
from tests.helpers import linked, wait_until


@dataclass(frozen=True)
class Wearable:
    twin: Callable[[str], SimulatedPeripheral]
    driver: Callable[[], WearableDriver]
    # Makes the twin send something; None for a device that never sends.
    stream: Callable[[SimulatedPeripheral], object] | None
    event: type | None


def bangle_tap(twin: SimulatedPeripheral) -> object:
    assert isinstance(twin, SimulatedBangle)
    return twin.tap()


def strap_beat(twin: SimulatedPeripheral) -> object:
    assert isinstance(twin, SimulatedHeartStrap)
    return twin.beat(70, [850.0])


def polar_move(twin: SimulatedPeripheral) -> object:
    assert isinstance(twin, SimulatedPolarH10)
    return twin.move([(0, 0, 1000)] * 10)


def pinetime_touch(twin: SimulatedPeripheral) -> object:
    assert isinstance(twin, SimulatedPineTime)
    return twin.touch_music(MusicEvent.NEXT)


def microbit_press(twin: SimulatedPeripheral) -> object:
    assert isinstance(twin, SimulatedMicrobit)
    twin.button("A", ButtonState.PRESSED)
    return twin.button("A", ButtonState.RELEASED)


WEARABLES = {
    "bangle": Wearable(SimulatedBangle, BangleDriver, bangle_tap, InputEvent),
    "heart_rate": Wearable(SimulatedHeartStrap, HeartRateDriver, strap_beat, HeartReading),
    "polar_h10": Wearable(SimulatedPolarH10, PolarH10Driver, polar_move, AccelBatch),
    "pinetime": Wearable(SimulatedPineTime, PineTimeDriver, pinetime_touch, InputEvent),
    "microbit": Wearable(SimulatedMicrobit, MicrobitDriver, microbit_press, InputEvent),
    "immediate_alert": Wearable(SimulatedAlertBand, ImmediateAlertDriver, None, None),
}


def buzzes(twin: SimulatedPeripheral) -> int:
    if isinstance(twin, SimulatedBangle):
        return len(twin.buzzes)
    if isinstance(twin, SimulatedPineTime):
        return len(twin.buzzes)
    if isinstance(twin, SimulatedAlertBand):
        return len(twin.alerts)
    raise AssertionError(f"{type(twin).__name__} has no motor")


@pytest.mark.parametrize("profile", sorted(WEARABLES))
async def test_connect_stream_buzz_drop_reconnect(profile: str) -> None:
    wearable = WEARABLES[profile]
    radio = SimRadio()
    twin = radio.add(wearable.twin("C7:00:00:00:00:01"))
    driver = wearable.driver()
    assert driver.profile.key == profile

    def streamed() -> list[DeviceEvent]:
        return [e for e in device.events if wearable.event and isinstance(e, wearable.event)]

    async with linked(radio, twin, driver) as device:
        if wearable.stream is not None:
            assert wearable.stream(twin)
            await wait_until(lambda: len(streamed()) >= 1)
        can_buzz = Capability.HAPTICS in driver.profile.capabilities
        assert await device.link.play(CONFIRMATION) is can_buzz
        if can_buzz:
            assert buzzes(twin) >= 1

        twin.drop_link()
        await wait_until(
            lambda: (
                [e.state for e in device.links][:3]
                == [LinkState.CONNECTED, LinkState.LOST, LinkState.RESTORED]
            )
        )
        assert twin.connect_count == 2
        if wearable.stream is not None:
            before = len(streamed())
            stream = wearable.stream
            await wait_until(lambda: bool(stream(twin)))  # once re-subscribed
            await wait_until(lambda: len(streamed()) > before)
        if can_buzz:
            before_buzzes = buzzes(twin)
            assert await device.link.play(CONFIRMATION)
            assert buzzes(twin) > before_buzzes
