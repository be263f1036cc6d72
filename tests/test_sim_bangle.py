"""The Bangle.js driver against the simulated watch, through bleak's public API only."""

from __future__ import annotations

from firmware_bridge import HeartReading, LinkState
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from signals import CONFIRMATION, ComfortSignal, InputEvent, InputKind, pattern_for
from tests.helpers import linked, wait_until


async def test_watch_events_arrive_as_typed_events_across_fragmented_notifications() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:00:01"))
    async with linked(radio, watch, BangleDriver()) as device:
        assert [e.state for e in device.links] == [LinkState.CONNECTED]
        watch.tap()
        watch.tap(double=True)
        watch.press(held_ms=1500)
        watch.heart(81, confidence=95)  # 47 bytes: three notifications at MTU 23
        await wait_until(lambda: len(device.events) >= 4)
        tap, double, press, heart = device.events
        assert isinstance(tap, InputEvent) and tap.kind is InputKind.TAP
        assert isinstance(double, InputEvent) and double.kind is InputKind.DOUBLE_TAP
        assert isinstance(press, InputEvent) and press.kind is InputKind.BUTTON
        assert press.held_s == 1.5
        assert isinstance(heart, HeartReading) and (heart.bpm, heart.confidence) == (81, 95)


async def test_a_pattern_becomes_buzz_commands_split_to_the_link_payload() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:00:02"))  # MTU 23: 20-byte writes
    async with linked(radio, watch, BangleDriver()) as device:
        stop = pattern_for(ComfortSignal.STOP)
        assert await device.link.play(stop)
        assert [(b.ms, b.strength) for b in watch.buzzes] == [
            (p.on_ms, p.strength) for p in stop.pulses
        ]
        assert await device.link.play(CONFIRMATION)
        assert watch.console[-1] == b"Bangle.buzz(60,0.6)"


async def test_garbled_lines_are_counted_and_the_stream_goes_on() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:00:03"))
    driver = BangleDriver()
    async with linked(radio, watch, driver) as device:
        watch.send_raw(b'{"t":"tap","double":tru\n')
        watch.send_raw(b">\r\n")  # an Espruino prompt: not an app message, not an error
        watch.tap()
        await wait_until(lambda: bool(device.events))
        assert [getattr(e, "kind", None) for e in device.events] == [InputKind.TAP]
        assert driver.malformed_count == 1
        assert driver.last_malformed is not None
        assert b"tru" in driver.last_malformed.data


async def test_link_drop_is_reported_and_the_link_restores_itself() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:00:04"))
    async with linked(radio, watch, BangleDriver()) as device:
        watch.drop_link()
        await wait_until(
            lambda: (
                [e.state for e in device.links]
                == [LinkState.CONNECTED, LinkState.LOST, LinkState.RESTORED]
            )
        )
        watch.tap()  # notifications were re-armed after the reconnect
        await wait_until(lambda: bool(device.events))
        assert watch.connect_count == 2
    assert not watch.connected, "ending the link disconnects the device"


async def test_playing_on_a_lost_link_reports_failure_instead_of_raising() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:00:05"))
    async with linked(radio, watch, BangleDriver()) as device:
        watch.leave()
        await wait_until(lambda: LinkState.LOST in [e.state for e in device.links])
        assert not await device.link.play(CONFIRMATION)
        assert watch.buzzes == []
