"""Immediate Alert as a haptic output, against a simulated band."""

from __future__ import annotations

import asyncio

import pytest

from firmware_bridge import LinkState, MalformedPayload
from firmware_bridge.immediate_alert import (
    AlertLevel,
    ImmediateAlertDriver,
    alert_level_for,
    parse_alert_level,
)
from firmware_bridge.sim import SimRadio, SimulatedAlertBand
from signals import CONFIRMATION, ComfortSignal, Pulse, pattern_for
from tests.helpers import linked, wait_until

NONE, MILD, HIGH = AlertLevel.NONE, AlertLevel.MILD, AlertLevel.HIGH
# asyncio may wake a timer this much before its time; timing is checked as a lower bound.
CLOCK_SLACK_S = 0.002


def test_alert_levels_known_answers() -> None:
    assert [parse_alert_level(bytes([v])) for v in (0, 1, 2)] == [NONE, MILD, HIGH]
    for bad in (b"", b"\x03", b"\x01\x00"):
        with pytest.raises(MalformedPayload):
            parse_alert_level(bad)
    assert alert_level_for(Pulse(100, strength=0.69)) is MILD
    assert alert_level_for(Pulse(100, strength=0.7)) is HIGH


async def test_a_stop_is_three_high_alerts_each_ended_after_its_pulse() -> None:
    radio = SimRadio()
    band = radio.add(SimulatedAlertBand("C3:00:00:00:00:01"))
    async with linked(radio, band, ImmediateAlertDriver()) as device:
        stop = pattern_for(ComfortSignal.STOP)
        assert await device.link.play(stop)
        assert band.levels() == [HIGH, NONE, HIGH, NONE, HIGH, NONE]
        times = [write.at for write in band.alerts]
        for index, pulse in enumerate(stop.pulses):
            on, off = times[2 * index], times[2 * index + 1]
            assert off - on >= pulse.on_ms / 1000 - CLOCK_SLACK_S
            if index + 1 < len(stop.pulses):
                assert times[2 * index + 2] - off >= pulse.off_ms / 1000 - CLOCK_SLACK_S
        assert not band.vibrating


async def test_gentle_patterns_are_mild() -> None:
    radio = SimRadio()
    band = radio.add(SimulatedAlertBand("C3:00:00:00:00:02"))
    async with linked(radio, band, ImmediateAlertDriver()) as device:
        assert await device.link.play(CONFIRMATION)
        assert band.levels() == [MILD, NONE]


async def test_a_cancelled_pattern_still_stops_the_motor() -> None:
    radio = SimRadio()
    band = radio.add(SimulatedAlertBand("C3:00:00:00:00:03"))
    async with linked(radio, band, ImmediateAlertDriver()) as device:
        playing = asyncio.create_task(device.link.play(pattern_for(ComfortSignal.SLOW_DOWN)))
        await wait_until(lambda: band.vibrating)
        playing.cancel()  # a newer alert replaces this one
        await asyncio.gather(playing, return_exceptions=True)
        assert band.levels() == [HIGH, NONE]
        assert not band.vibrating


async def test_the_band_buzzes_again_after_a_drop_and_reconnect() -> None:
    radio = SimRadio()
    band = radio.add(SimulatedAlertBand("C3:00:00:00:00:04"))
    async with linked(radio, band, ImmediateAlertDriver()) as device:
        band.drop_link()
        await wait_until(
            lambda: (
                [e.state for e in device.links]
                == [LinkState.CONNECTED, LinkState.LOST, LinkState.RESTORED]
            )
        )
        assert await device.link.play(CONFIRMATION)
        assert band.levels() == [MILD, NONE]
