"""Polar PMD: known answers from Polar's specification, and the H10 driver against its twin."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numpy as np
import pytest
from bleak import BleakClient

from firmware_bridge import (
    AccelBatch,
    DeviceCommandError,
    HeartReading,
    LinkState,
    MalformedPayload,
    MtuTooSmall,
)
from firmware_bridge.polar import (
    PMD_CONTROL,
    PMD_DATA,
    ControlOp,
    ControlPointResponse,
    MeasurementStopped,
    MeasurementType,
    PmdFrame,
    PolarH10Driver,
    SettingType,
    acceleration_in_g,
    choose_settings,
    command,
    parse_control_point,
    parse_features,
    parse_pmd_frame,
    parse_settings,
)
from firmware_bridge.sim import SimRadio, SimulatedPolarH10
from tests.helpers import linked, wait_until

H10_ACC_SETTINGS = "00 04 19 00 32 00 64 00 c8 00 01 01 10 00 02 03 02 00 04 00 08 00"
VERITY_ACC_SETTINGS = "00 01 34 00 01 01 10 00 02 01 08 00 04 01 03"


def frame(hex_bytes: str) -> bytes:
    return bytes.fromhex(hex_bytes)


def collect(into: list[bytes]) -> Callable[[object, bytearray], None]:
    def on_notify(_: object, data: bytearray) -> None:
        into.append(bytes(data))

    return on_notify


# -- control point ---------------------------------------------------------------------------


def test_get_settings_response_lists_the_h10_acceleration_choices() -> None:
    response = parse_control_point(frame("f0 01 02 00 00 " + H10_ACC_SETTINGS))
    assert response == ControlPointResponse(
        op=1, measurement=2, status=0, more=False, parameters=frame(H10_ACC_SETTINGS)
    )
    assert parse_settings(response.parameters) == {
        SettingType.SAMPLE_RATE: (25, 50, 100, 200),
        SettingType.RESOLUTION: (16,),
        SettingType.RANGE: (2, 4, 8),
    }


def test_the_h10_start_command_sends_every_listed_setting() -> None:
    chosen = choose_settings(parse_settings(frame(H10_ACC_SETTINGS)), sample_rate_hz=200, range_g=8)
    start = command(ControlOp.START, MeasurementType.ACC, chosen)
    assert start == frame("02 02 00 01 c8 00 01 01 10 00 02 01 08 00")
    assert command(ControlOp.GET_SETTINGS, MeasurementType.ACC) == frame("01 02")
    assert command(ControlOp.STOP, MeasurementType.ACC) == frame("03 02")


def test_a_device_that_lists_channels_gets_channels_and_its_one_rate() -> None:
    # Polar Verity Sense: 52 Hz only, and a channels setting the H10 does not have.
    chosen = choose_settings(
        parse_settings(frame(VERITY_ACC_SETTINGS)), sample_rate_hz=200, range_g=8
    )
    start = command(ControlOp.START, MeasurementType.ACC, chosen)
    assert start == frame("02 02 00 01 34 00 01 01 10 00 02 01 08 00 04 01 03")


def test_start_responses_with_and_without_a_factor() -> None:
    plain = parse_control_point(frame("f0 02 02 00 00 01"))
    assert isinstance(plain, ControlPointResponse) and plain.ok
    assert parse_settings(plain.parameters) == {}  # the lone byte is reserved
    with_factor = parse_control_point(frame("f0 02 02 00 00 05 01 40 da 7f 39"))
    assert isinstance(with_factor, ControlPointResponse)
    factor = parse_settings(with_factor.parameters)[SettingType.FACTOR]
    assert factor == pytest.approx((0.000244,))


@pytest.mark.parametrize(
    ("hex_bytes", "status", "words"),
    [
        ("f0 03 02 06 00", 6, "already"),
        ("f0 02 02 05 00", 5, "setting"),
        ("f0 02 02 08 00", 8, "sample rate"),
        ("f0 02 02 09 00", 9, "range"),
        ("f0 02 02 0d 00", 13, "charger"),
    ],
)
def test_error_responses_carry_their_status(hex_bytes: str, status: int, words: str) -> None:
    from firmware_bridge.polar import status_meaning

    response = parse_control_point(frame(hex_bytes))
    assert isinstance(response, ControlPointResponse)
    assert (response.ok, response.status, response.parameters) == (False, status, b"")
    assert words in status_meaning(status)


def test_more_frames_and_a_stream_stopped_by_the_device() -> None:
    first = parse_control_point(frame("f0 01 02 00 01 00 01 c8 00"))
    assert isinstance(first, ControlPointResponse) and first.more
    assert parse_control_point(frame("01 02")) == MeasurementStopped((2,))


def test_features_read() -> None:
    assert parse_features(frame("0f 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")) == {
        MeasurementType.ECG,
        MeasurementType.ACC,
    }
    verity = parse_features(frame("0f 6e 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"))
    assert verity == {
        MeasurementType.PPG,
        MeasurementType.ACC,
        MeasurementType.PPI,
        MeasurementType.GYRO,
        MeasurementType.MAGNETOMETER,
    }


# -- data frames ------------------------------------------------------------------------------


def test_raw_16_bit_frame_from_polars_specification() -> None:
    decoded = parse_pmd_frame(
        frame("02 ea 54 a2 42 8b 45 52 08 01 45 ff e4 ff b5 03 45 ff e4 ff b8 03")
    )
    # The specification's prose says x = -184 mG, but its bytes 45 ff are -187.
    assert decoded == PmdFrame(
        measurement=2,
        timestamp_ns=599618164814402794,
        frame_type=1,
        samples=((-187, -28, 949), (-187, -28, 952)),
    )
    assert not decoded.compressed
    np.testing.assert_allclose(
        acceleration_in_g(decoded, factor=1.0), [[-0.187, -0.028, 0.949], [-0.187, -0.028, 0.952]]
    )


def test_raw_8_and_24_bit_frames() -> None:
    eight = parse_pmd_frame(frame("02 00 00 00 00 00 00 00 00 00 01 ff 10"))
    assert eight.samples == ((1, -1, 16),)
    wide = parse_pmd_frame(frame("02 00 00 00 00 00 00 00 00 02 01 00 00 ff ff ff 00 00 80"))
    assert wide.samples == ((1, -1, -(2**23)),)


def test_delta_frame_from_polars_specification() -> None:
    # Polar Verity Sense example, cut to two deltas: reference (-48, 357, 4068), 8-bit deltas.
    decoded = parse_pmd_frame(
        frame("02 64 6c 76 c4 3c c6 7f 07 80 d0 ff 65 01 e4 0f 08 02 fc 07 ff 0c 13 f2")
    )
    assert decoded.timestamp_ns == 540368444604181604
    assert decoded.compressed
    assert decoded.samples == ((-48, 357, 4068), (-52, 364, 4067), (-40, 383, 4053))
    # Type 0x80 samples times the factor from the start response are g.
    np.testing.assert_allclose(
        acceleration_in_g(decoded, factor=0.000244)[0], [-0.011712, 0.087108, 0.992592]
    )


def test_delta_bits_are_read_least_significant_first_across_bytes() -> None:
    # 3-bit deltas +1, -1, +3 then -4, 0, +2: bits 001 111 011 100 000 010, LSB first.
    packed = (1 | 0b111 << 3 | 3 << 6 | 0b100 << 9 | 0 << 12 | 2 << 15).to_bytes(3, "little")
    body = frame("00 00 00 00 00 00 03 02") + packed
    decoded = parse_pmd_frame(frame("02" + "00" * 8 + "80") + body)
    assert decoded.samples == ((0, 0, 0), (1, -1, 3), (-3, -1, 5))


def test_other_measurements_are_left_undecoded() -> None:
    ecg = parse_pmd_frame(frame("00 00 00 00 00 00 00 00 00 00 01 02 03"))
    assert (ecg.measurement, ecg.samples) == (MeasurementType.ECG, ())


@pytest.mark.parametrize(
    ("what", "hex_bytes", "offset"),
    [
        ("frame shorter than its header", "02 00 00", 1),
        ("no frame type", "02 00 00 00 00 00 00 00 00", 9),
        ("no samples", "02 00 00 00 00 00 00 00 00 01", 10),
        ("a partial sample", "02 00 00 00 00 00 00 00 00 01 01 00 02 00 03 00 04", 16),
        ("unknown raw type", "02 00 00 00 00 00 00 00 00 03 00 00 00", 9),
        ("unknown delta type", "02 00 00 00 00 00 00 00 00 85 00 00 00 00 00 00", 9),
        ("truncated reference", "02 00 00 00 00 00 00 00 00 80 d0 ff 65", 12),
        ("block without count", "02 00 00 00 00 00 00 00 00 80 d0 ff 65 01 e4 0f 08", 17),
        ("truncated deltas", "02 00 00 00 00 00 00 00 00 80 d0 ff 65 01 e4 0f 08 02 fc 07", 18),
        ("delta wider than 32 bits", "02 00 00 00 00 00 00 00 00 80 00 00 00 00 00 00 21 01", 16),
    ],
)
def test_malformed_frames(what: str, hex_bytes: str, offset: int) -> None:
    data = frame(hex_bytes)
    with pytest.raises(MalformedPayload) as caught:
        parse_pmd_frame(data)
    assert caught.value.data == data, what
    assert caught.value.offset == offset, what


@pytest.mark.parametrize(
    ("parse", "hex_bytes", "offset"),
    [
        (parse_control_point, "", 0),
        (parse_control_point, "f0 01", 2),
        (parse_control_point, "aa 01 02 00", 0),
        (parse_settings, "09 01 00 00", 0),
        (parse_settings, "00 02 c8 00 64", 4),
        (parse_settings, "05 01 40 da", 2),
        (parse_features, "0f", 1),
        (parse_features, "f0 05", 0),
    ],
)
def test_malformed_control_point_messages(parse: object, hex_bytes: str, offset: int) -> None:
    assert callable(parse)
    with pytest.raises(MalformedPayload) as caught:
        parse(frame(hex_bytes))
    assert caught.value.offset == offset


# -- the driver against the simulated strap --------------------------------------------------


async def test_h10_streams_heart_rate_and_timestamped_acceleration_in_g() -> None:
    radio = SimRadio()
    strap = radio.add(SimulatedPolarH10("C2:00:00:00:00:01"))
    driver = PolarH10Driver(clock=lambda: 1000.0)
    async with linked(radio, strap, driver) as device:
        assert strap.commands == [
            frame("01 02"),
            frame("02 02 00 01 c8 00 01 01 10 00 02 01 08 00"),
        ]
        strap.beat(60, [1016.6015625])
        samples = [(i, -i, 1000 + i) for i in range(40)]  # 36 fit a frame at MTU 232
        assert strap.move(samples) == 2
        await wait_until(lambda: len(device.events) == 3)
        heart, first, second = device.events
        assert isinstance(heart, HeartReading) and heart.rr_ms == (1016.6015625,)
        assert isinstance(first, AccelBatch) and isinstance(second, AccelBatch)
        assert (len(first.times), len(second.times), first.rate_hz) == (36, 4, 200.0)
        np.testing.assert_allclose(first.xyz_g[0], [0.0, 0.0, 1.0])
        np.testing.assert_allclose(second.xyz_g[-1], [0.039, -0.039, 1.039])
        # Spread back from the arrival at 200 Hz: the last sample arrived "now".
        assert first.times[-1] == 1000.0
        np.testing.assert_allclose(first.times[0], 1000.0 - 35 / 200)
        # The strap's clock: its frame timestamp is the last sample's, 5 ms apart.
        assert second.sensor_ns[-1] - first.sensor_ns[-1] == 4 * 5_000_000
        assert first.sensor_ns[-1] - first.sensor_ns[0] == 35 * 5_000_000


async def test_delta_compressed_frames_decode_to_the_same_acceleration() -> None:
    radio = SimRadio()
    strap = radio.add(SimulatedPolarH10("C2:00:00:00:00:02", delta_frames=True))
    async with linked(radio, strap, PolarH10Driver()) as device:
        samples = [(-48 + 3 * i, 357 - i, 4068 + (i % 5) * 7) for i in range(36)]
        strap.move(samples)
        await wait_until(lambda: bool(device.events))
        batch = device.events[0]
        assert isinstance(batch, AccelBatch) and len(batch.times) == 36
        # One device unit is 0.244 mG: the decoded values are within half of one.
        np.testing.assert_allclose(batch.xyz_g, np.array(samples) / 1000, atol=0.000123)


async def test_refusals_become_errors_that_say_why() -> None:
    radio = SimRadio()
    strap = radio.add(SimulatedPolarH10("C2:00:00:00:00:03"))
    strap.in_charger = True
    async with BleakClient(strap.address, backend=radio.client_backend()) as client:
        with pytest.raises(DeviceCommandError) as caught:
            await PolarH10Driver().start(client, lambda _: None)
    assert caught.value.status == 13
    assert "charger" in str(caught.value)


async def test_a_link_below_the_needed_mtu_is_refused_before_any_command() -> None:
    radio = SimRadio()
    strap = radio.add(SimulatedPolarH10("C2:00:00:00:00:04", mtu=185))
    async with BleakClient(strap.address, backend=radio.client_backend()) as client:
        with pytest.raises(MtuTooSmall) as caught:
            await PolarH10Driver().start(client, lambda _: None)
    assert (caught.value.mtu, caught.value.required) == (185, 232)
    assert strap.commands == []


async def test_the_twin_stays_silent_without_mtu_and_both_notifications() -> None:
    radio = SimRadio()
    small = radio.add(SimulatedPolarH10("C2:00:00:00:00:05", mtu=185))
    strap = radio.add(SimulatedPolarH10("C2:00:00:00:00:06"))
    for device, subscribe_data in ((small, True), (strap, False)):
        answers: list[bytes] = []
        async with BleakClient(device.address, backend=radio.client_backend()) as client:
            await client.start_notify(PMD_CONTROL, collect(answers))
            if subscribe_data:
                await client.start_notify(PMD_DATA, lambda _, data: None)
            await client.write_gatt_char(PMD_CONTROL, frame("01 02"), response=True)
            for _ in range(5):  # a real answer is delivered within one loop iteration
                await asyncio.sleep(0)
        assert device.commands == [frame("01 02")]
        assert answers == []
    # With everything in place the same command is answered.
    answers = []
    async with BleakClient(strap.address, backend=radio.client_backend()) as client:
        await client.start_notify(PMD_CONTROL, collect(answers))
        await client.start_notify(PMD_DATA, lambda _, data: None)
        await client.write_gatt_char(PMD_CONTROL, frame("01 02"), response=True)
        await wait_until(lambda: bool(answers))
    assert answers == [frame("f0 01 02 00 00 " + H10_ACC_SETTINGS)]


async def test_a_stream_the_strap_stops_by_itself_is_started_again() -> None:
    radio = SimRadio()
    strap = radio.add(SimulatedPolarH10("C2:00:00:00:00:07"))
    driver = PolarH10Driver()
    async with linked(radio, strap, driver) as device:
        assert strap.stop_by_itself()
        await wait_until(lambda: driver.restarts == 1)
        assert strap.commands[-1][0] == ControlOp.START
        strap.move([(0, 0, 1000)])
        await wait_until(lambda: bool(device.events))


async def test_garbled_frames_are_counted_and_the_stream_restarts_after_a_drop() -> None:
    radio = SimRadio()
    strap = radio.add(SimulatedPolarH10("C2:00:00:00:00:08"))
    driver = PolarH10Driver()
    async with linked(radio, strap, driver) as device:
        strap.send_data(frame("02 00 00 00 00 00 00 00 00 01 01 00"))
        strap.move([(0, 0, 1000)])
        await wait_until(lambda: len(device.events) == 1)
        assert driver.malformed_count == 1
        strap.drop_link()
        await wait_until(lambda: device.links[-1].state is LinkState.RESTORED)
        assert strap.acc_settings is not None, "the stream was started again"
        strap.move([(0, 0, 1000)])
        await wait_until(lambda: len(device.events) == 2)


class StillStreamingH10(SimulatedPolarH10):
    """A strap that kept a stream from an earlier connection running."""

    def on_connect(self) -> None:
        self.acc_settings = {SettingType.SAMPLE_RATE: 25, SettingType.RESOLUTION: 16}


async def test_a_stream_left_running_is_stopped_and_started_with_our_settings() -> None:
    radio = SimRadio()
    strap = radio.add(StillStreamingH10("C2:00:00:00:00:09"))
    async with linked(radio, strap, PolarH10Driver()):
        start = frame("02 02 00 01 c8 00 01 01 10 00 02 01 08 00")
        assert strap.commands == [frame("01 02"), start, frame("03 02"), start]
        assert strap.acc_settings is not None
        assert strap.acc_settings[SettingType.SAMPLE_RATE] == 200
