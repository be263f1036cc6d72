"""PineTime with InfiniTime: its byte formats, and the driver against the simulated watch."""

from __future__ import annotations

import pytest

from firmware_bridge import HeartReading, LinkState, MalformedPayload
from firmware_bridge.immediate_alert import AlertLevel
from firmware_bridge.pinetime import (
    MUSIC_EVENT,
    AlertCategory,
    CallResponse,
    MusicEvent,
    PineTimeDriver,
    buzzes_for,
    new_alert_bytes,
    parse_call_response,
    parse_music_event,
    parse_new_alert,
)
from firmware_bridge.sim import SimRadio, SimulatedPineTime
from signals import CONFIRMATION, ComfortSignal, InputEvent, InputKind, Pulse, pattern_for
from tests.helpers import linked, wait_until


def test_music_events_and_call_answers_known_answers() -> None:
    assert parse_music_event(b"\x00") is MusicEvent.PLAY
    assert parse_music_event(b"\x01") is MusicEvent.PAUSE
    assert parse_music_event(b"\x03") is MusicEvent.NEXT
    assert parse_music_event(b"\x04") is MusicEvent.PREVIOUS
    assert parse_music_event(b"\xe0") is MusicEvent.OPENED
    assert [parse_call_response(bytes([v])) for v in (0, 1, 2)] == [
        CallResponse.DECLINE,
        CallResponse.ACCEPT,
        CallResponse.MUTE,
    ]
    for parse, bad, offset in (
        (parse_music_event, b"", 0),
        (parse_music_event, b"\x02", 0),
        (parse_music_event, b"\x00\x00", 1),
        (parse_call_response, b"\x03", 0),
    ):
        with pytest.raises(MalformedPayload) as caught:
            parse(bad)
        assert (caught.value.data, caught.value.offset) == (bad, offset)


def test_a_call_alert_is_category_count_header_title_nul_body() -> None:
    payload = new_alert_bytes(AlertCategory.CALL, "STOP", "Accept = got it")
    assert payload == bytes.fromhex("03 01 00") + b"STOP\0Accept = got it"
    assert parse_new_alert(payload) == (AlertCategory.CALL, "STOP", "Accept = got it")
    # At the smallest MTU (20-byte writes) the body is left out rather than cut.
    assert new_alert_bytes(AlertCategory.CALL, "STOP", "Accept = got it", max_bytes=20) == (
        bytes.fromhex("03 01 00") + b"STOP"
    )


def test_long_pulses_become_trains_of_motor_pulses() -> None:
    assert buzzes_for(Pulse(60)) == 1
    assert buzzes_for(Pulse(300)) == 2
    assert buzzes_for(Pulse(600)) == 4


async def test_music_touches_and_heart_rate_arrive_as_gestures_and_readings() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedPineTime("C4:00:00:00:00:01"))
    async with linked(radio, watch, PineTimeDriver()) as device:
        watch.touch_music(MusicEvent.OPENED)  # not a gesture
        watch.touch_music(MusicEvent.NEXT)
        watch.touch_music(MusicEvent.PREVIOUS)
        watch.touch_music(MusicEvent.PLAY)
        watch.heart(72)
        await wait_until(lambda: len(device.events) == 4)
        kinds = [e.kind for e in device.events if isinstance(e, InputEvent)]
        assert kinds == [InputKind.TAP, InputKind.TAP, InputKind.BUTTON]
        heart = device.events[-1]
        assert isinstance(heart, HeartReading) and (heart.bpm, heart.contact) == (72, None)


async def test_a_stop_rings_as_a_call_and_accepting_it_acknowledges() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedPineTime("C4:00:00:00:00:02"))
    driver = PineTimeDriver()
    async with linked(radio, watch, driver) as device:
        assert await device.link.play(pattern_for(ComfortSignal.STOP))
        assert watch.ringing
        call = watch.notifications[-1]
        assert (call.category, call.title, call.body) == (
            AlertCategory.CALL,
            "STOP",
            "Accept = got it",
        )
        watch.answer(CallResponse.ACCEPT)
        await wait_until(lambda: bool(device.events))
        ack = device.events[0]
        assert isinstance(ack, InputEvent) and (ack.kind, ack.held_s) == (InputKind.BUTTON, 0.0)


async def test_declining_the_call_silences_it_without_acknowledging() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedPineTime("C4:00:00:00:00:03"))
    driver = PineTimeDriver()
    async with linked(radio, watch, driver) as device:
        assert await device.link.play(pattern_for(ComfortSignal.PAUSE))
        assert watch.notifications[-1].title == "PAUSE"
        watch.answer(CallResponse.DECLINE)
        await wait_until(lambda: driver.last_call_response is CallResponse.DECLINE)
        assert device.events == []


async def test_other_patterns_buzz_through_immediate_alert() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedPineTime("C4:00:00:00:00:04"))
    async with linked(radio, watch, PineTimeDriver()) as device:
        assert await device.link.play(CONFIRMATION)
        assert [b.level for b in watch.buzzes] == [AlertLevel.MILD]
        assert await device.link.play(pattern_for(ComfortSignal.SLOW_DOWN))  # 600 ms at 0.8
        assert [b.level for b in watch.buzzes[1:]] == [AlertLevel.HIGH] * 4
        assert not watch.ringing


async def test_garbled_bytes_are_counted_and_touches_go_on_after_a_drop() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedPineTime("C4:00:00:00:00:05"))
    driver = PineTimeDriver()
    async with linked(radio, watch, driver) as device:
        watch.notify(MUSIC_EVENT, b"\x07")  # no such music event
        watch.touch_music(MusicEvent.PAUSE)
        await wait_until(lambda: len(device.events) == 1)
        assert driver.malformed_count == 1
        watch.drop_link()
        await wait_until(lambda: device.links[-1].state is LinkState.RESTORED)
        watch.touch_music(MusicEvent.PAUSE)
        await wait_until(lambda: len(device.events) == 2)
