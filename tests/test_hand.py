"""A hand on each kind of twin: the driver hears the gesture as the device's own input."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest

from firmware_bridge.bangle import BangleDriver
from firmware_bridge.immediate_alert import ImmediateAlertDriver
from firmware_bridge.microbit import MicrobitDriver
from firmware_bridge.pinetime import PineTimeDriver
from firmware_bridge.sim import (
    Gesture,
    GestureRefused,
    SimRadio,
    SimulatedAlertBand,
    SimulatedBangle,
    SimulatedMicrobit,
    SimulatedPineTime,
    perform_gesture,
)
from signals import InputEvent, InputKind
from tests.helpers import linked, wait_until


def inputs(events: Sequence[object]) -> list[InputEvent]:
    return [e for e in events if isinstance(e, InputEvent)]


async def heard_inputs(events: Sequence[object], count: int) -> list[InputEvent]:
    """The device's inputs once ``count`` have arrived (notifications arrive a moment later)."""
    await wait_until(lambda: len(inputs(events)) >= count)
    return inputs(events)


async def test_taps_on_a_watch_come_in_a_natural_rhythm() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:F0:01"))
    async with linked(radio, watch, BangleDriver()) as device:
        await perform_gesture(watch, Gesture.TAP, 3)
        heard = await heard_inputs(device.events, 3)
    assert [e.kind for e in heard] == [InputKind.TAP] * 3
    gaps = [b.at - a.at for a, b in itertools.pairwise(heard)]
    # Deliberate taps, within the classifier's 0.8 s gap, not a burst.
    assert all(0.1 < gap < 0.8 for gap in gaps), gaps


async def test_a_hold_on_a_watch_is_one_long_press() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:F0:02"))
    async with linked(radio, watch, BangleDriver()) as device:
        await perform_gesture(watch, Gesture.HOLD)
        heard = await heard_inputs(device.events, 1)
    assert len(heard) == 1 and heard[0].kind is InputKind.BUTTON
    assert heard[0].held_s >= 1.0


async def test_a_microbit_press_and_hold_are_button_a_going_down_and_up() -> None:
    radio = SimRadio()
    board = radio.add(SimulatedMicrobit("C0:00:00:00:F0:03", accelerometer=False))
    async with linked(radio, board, MicrobitDriver()) as device:
        await perform_gesture(board, Gesture.PRESS, 2)
        await perform_gesture(board, Gesture.HOLD)
        heard = await heard_inputs(device.events, 3)
    assert [e.kind for e in heard] == [InputKind.BUTTON] * 3
    assert heard[0].held_s < 1.0 and heard[1].held_s < 1.0 and heard[2].held_s >= 1.0


async def test_a_microbit_without_a_stream_refuses_a_tap() -> None:
    radio = SimRadio()
    board = radio.add(SimulatedMicrobit("C0:00:00:00:F0:04", accelerometer=False))
    async with linked(radio, board, MicrobitDriver()):
        with pytest.raises(GestureRefused, match="not streaming acceleration"):
            await perform_gesture(board, Gesture.TAP)


async def test_a_pinetime_taps_with_music_events_and_acknowledges_by_accepting_the_call() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedPineTime("C0:00:00:00:F0:05"))
    async with linked(radio, watch, PineTimeDriver()) as device:
        await perform_gesture(watch, Gesture.TAP, 2)
        watch.ringing = True  # a pause or stop rings as a call
        await perform_gesture(watch, Gesture.PRESS)
        heard = await heard_inputs(device.events, 3)
        with pytest.raises(GestureRefused, match="cannot hold"):
            await perform_gesture(watch, Gesture.HOLD)
    assert [e.kind for e in heard] == [InputKind.TAP, InputKind.TAP, InputKind.BUTTON]
    assert not watch.ringing


async def test_a_band_without_input_refuses_and_a_gone_twin_is_not_connected() -> None:
    radio = SimRadio()
    band = radio.add(SimulatedAlertBand("C0:00:00:00:F0:06"))
    async with linked(radio, band, ImmediateAlertDriver()):
        with pytest.raises(GestureRefused, match="cannot tap"):
            await perform_gesture(band, Gesture.TAP)
    watch = radio.add(SimulatedBangle("C0:00:00:00:F0:07"))
    with pytest.raises(GestureRefused, match="not connected"):
        await perform_gesture(watch, Gesture.PRESS)
