"""The Bluetooth SIG heart-rate parser (known answers) and driver (against the twin)."""

from __future__ import annotations

import pytest

from firmware_bridge import HeartReading, LinkState, MalformedPayload
from firmware_bridge.heart_rate import (
    BodySensorLocation,
    HeartRateDriver,
    HeartRateMeasurement,
    parse_body_sensor_location,
    parse_heart_rate_measurement,
)
from firmware_bridge.sim import SimRadio, SimulatedHeartStrap
from tests.helpers import linked, wait_until


@pytest.mark.parametrize(
    ("hex_bytes", "expected"),
    [
        # uint8 bpm, no contact feature
        ("00 48", HeartRateMeasurement(72, None, None, ())),
        # bit 1 alone means nothing without bit 2 (contact not supported)
        ("02 48", HeartRateMeasurement(72, None, None, ())),
        # contact supported, not detected / detected
        ("04 48", HeartRateMeasurement(72, False, None, ())),
        ("06 3c", HeartRateMeasurement(60, True, None, ())),
        # uint16 bpm
        ("01 2c 01", HeartRateMeasurement(300, None, None, ())),
        # energy expended, 10000 kJ
        ("08 48 10 27", HeartRateMeasurement(72, None, 10000, ())),
        # a Polar strap's notification: contact, one RR of 1041/1024 s
        ("16 3c 11 04", HeartRateMeasurement(60, True, None, (1016.6015625,))),
        # three RR intervals: 1024, 512 and 768 / 1024 s
        ("10 48 00 04 00 02 00 03", HeartRateMeasurement(72, None, None, (1000.0, 500.0, 750.0))),
        # every flag at once: uint16 bpm, contact, energy 1000 kJ, two RR intervals
        (
            "1f 48 00 e8 03 00 04 00 02",
            HeartRateMeasurement(72, True, 1000, (1000.0, 500.0)),
        ),
        # RR announced but none in this notification (no beat since the last one)
        ("10 48", HeartRateMeasurement(72, None, None, ())),
        # reserved bits 5-7 are ignored
        ("e0 48", HeartRateMeasurement(72, None, None, ())),
    ],
)
def test_heart_rate_measurement_known_answers(
    hex_bytes: str, expected: HeartRateMeasurement
) -> None:
    assert parse_heart_rate_measurement(bytes.fromhex(hex_bytes)) == expected


@pytest.mark.parametrize(
    ("hex_bytes", "offset"),
    [
        ("", 0),  # not even the flags
        ("00", 1),  # no heart rate
        ("01 48", 1),  # uint16 heart rate cut short
        ("08 48 10", 2),  # energy expended cut short
        ("10 48 00 04 00", 4),  # half an RR interval
        ("00 48 00", 2),  # a byte after the last field the flags announce
    ],
)
def test_truncated_or_overlong_measurements_name_the_bytes_and_offset(
    hex_bytes: str, offset: int
) -> None:
    data = bytes.fromhex(hex_bytes)
    with pytest.raises(MalformedPayload) as caught:
        parse_heart_rate_measurement(data)
    assert caught.value.data == data
    assert caught.value.offset == offset


def test_body_sensor_location() -> None:
    assert parse_body_sensor_location(b"\x01") is BodySensorLocation.CHEST
    assert parse_body_sensor_location(b"\x02") is BodySensorLocation.WRIST
    for bad in (b"", b"\x07", b"\xff", b"\x01\x00"):
        with pytest.raises(MalformedPayload):
            parse_body_sensor_location(bad)


async def test_a_strap_streams_readings_with_rr_and_contact_and_says_where_it_is() -> None:
    radio = SimRadio()
    strap = radio.add(SimulatedHeartStrap("C1:00:00:00:00:01"))
    driver = HeartRateDriver()
    async with linked(radio, strap, driver) as device:
        assert driver.body_sensor_location is BodySensorLocation.CHEST
        strap.beat(64, [937.5], energy_kj=12)
        strap.beat(0, on_skin=False)
        await wait_until(lambda: len(device.events) == 2)
        worn, off = device.events
        assert isinstance(worn, HeartReading) and isinstance(off, HeartReading)
        assert (worn.bpm, worn.rr_ms, worn.contact) == (64, (937.5,), True)
        assert (off.bpm, off.contact) == (0, False)
        assert driver.energy_expended_kj == 12


async def test_a_strap_that_cannot_tell_contact_reports_none() -> None:
    radio = SimRadio()
    strap = radio.add(
        SimulatedHeartStrap("C1:00:00:00:00:02", reports_contact=False, location=None)
    )
    driver = HeartRateDriver()
    async with linked(radio, strap, driver) as device:
        assert driver.body_sensor_location is None
        strap.beat(70)
        await wait_until(lambda: bool(device.events))
        reading = device.events[0]
        assert isinstance(reading, HeartReading) and reading.contact is None


async def test_garbled_measurements_are_counted_and_readings_go_on_after_a_drop() -> None:
    radio = SimRadio()
    strap = radio.add(SimulatedHeartStrap("C1:00:00:00:00:03"))
    driver = HeartRateDriver()
    async with linked(radio, strap, driver) as device:
        strap.send(b"\x10\x48\x00")  # half an RR interval
        strap.beat(66)
        await wait_until(lambda: bool(device.events))
        assert driver.malformed_count == 1
        assert driver.last_malformed is not None and driver.last_malformed.offset == 2
        strap.drop_link()
        await wait_until(lambda: [e.state for e in device.links][-1] is LinkState.RESTORED)
        strap.beat(67)
        await wait_until(lambda: len(device.events) == 2)
        assert [e.bpm for e in device.events if isinstance(e, HeartReading)] == [66, 67]
