"""The BBC micro:bit's button and accelerometer services, against the simulated board."""

from __future__ import annotations

import numpy as np
import pytest

from firmware_bridge import AccelBatch, LinkState, MalformedPayload
from firmware_bridge.microbit import (
    ACCELEROMETER_DATA,
    ButtonState,
    MicrobitDriver,
    parse_acceleration,
    parse_button_state,
)
from firmware_bridge.sim import SimRadio, SimulatedMicrobit
from signals import InputEvent, InputKind
from tests.helpers import linked, wait_until


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_button_states_and_samples_known_answers() -> None:
    assert [parse_button_state(bytes([v])) for v in (0, 1, 2)] == [
        ButtonState.RELEASED,
        ButtonState.PRESSED,
        ButtonState.HELD,
    ]
    assert parse_acceleration(bytes.fromhex("e8 03 18 fc 00 00")) == (1000, -1000, 0)
    assert parse_acceleration(bytes.fromhex("00 80 ff 7f 01 00")) == (-32768, 32767, 1)
    for parse, bad, offset in (
        (parse_button_state, b"", 0),
        (parse_button_state, b"\x03", 0),
        (parse_button_state, b"\x01\x00", 1),
        (parse_acceleration, bytes(5), 4),
        (parse_acceleration, bytes(7), 6),
    ):
        with pytest.raises(MalformedPayload) as caught:
            parse(bad)
        assert (caught.value.data, caught.value.offset) == (bad, offset)


async def test_presses_are_timed_and_a_held_button_is_reported_without_waiting() -> None:
    radio = SimRadio()
    board = radio.add(SimulatedMicrobit("C5:00:00:00:00:01"))
    clock = FakeClock()
    driver = MicrobitDriver(clock=clock)

    async def at(now: float, which: str, state: ButtonState) -> None:
        clock.now = now
        board.button(which, state)
        await wait_until(lambda: driver.last_heard_at == now)

    async with linked(radio, board, driver) as device:
        await at(5.0, "A", ButtonState.RELEASED)  # pressed before the hub was listening
        await at(10.0, "A", ButtonState.PRESSED)
        await at(10.25, "A", ButtonState.RELEASED)
        await at(20.0, "B", ButtonState.PRESSED)
        await at(21.5, "B", ButtonState.HELD)
        assert len(device.events) == 2, "the hold is reported before the release"
        await at(23.0, "B", ButtonState.RELEASED)
        short, long = device.events
        assert isinstance(short, InputEvent) and isinstance(long, InputEvent)
        assert (short.kind, short.at, short.held_s) == (InputKind.BUTTON, 10.25, 0.25)
        assert (long.kind, long.at, long.held_s) == (InputKind.BUTTON, 21.5, 1.5)


async def test_acceleration_streams_in_g_at_the_period_the_board_accepted() -> None:
    radio = SimRadio()
    board = radio.add(SimulatedMicrobit("C5:00:00:00:00:02"))
    driver = MicrobitDriver(period_ms=7)  # the runtime rounds this to 5 ms
    async with linked(radio, board, driver) as device:
        assert board.period_ms == 5 and driver.sample_period_ms == 5
        assert driver.expected_interval_s == 2.0
        board.accelerate(12, -1000, 250)
        await wait_until(lambda: bool(device.events))
        sample = device.events[0]
        assert isinstance(sample, AccelBatch) and sample.rate_hz == 200.0
        np.testing.assert_allclose(sample.xyz_g, [[0.012, -1.0, 0.25]])


async def test_a_program_without_the_accelerometer_still_gives_buttons() -> None:
    radio = SimRadio()
    board = radio.add(SimulatedMicrobit("C5:00:00:00:00:03", accelerometer=False))
    driver = MicrobitDriver()
    async with linked(radio, board, driver) as device:
        assert driver.expected_interval_s is None, "silence is normal with buttons only"
        board.button("A", ButtonState.PRESSED)
        board.button("A", ButtonState.RELEASED)
        await wait_until(lambda: bool(device.events))


async def test_garbled_bytes_are_counted_and_samples_go_on_after_a_drop() -> None:
    radio = SimRadio()
    board = radio.add(SimulatedMicrobit("C5:00:00:00:00:04"))
    driver = MicrobitDriver()
    async with linked(radio, board, driver) as device:
        board.notify(ACCELEROMETER_DATA, b"\x00\x01\x02")  # half a sample
        board.accelerate(0, 0, 1000)
        await wait_until(lambda: len(device.events) == 1)
        assert driver.malformed_count == 1
        board.drop_link()
        await wait_until(lambda: device.links[-1].state is LinkState.RESTORED)
        board.accelerate(0, 0, 1000)
        await wait_until(lambda: len(device.events) == 2)
