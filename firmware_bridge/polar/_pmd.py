"""Polar Measurement Data (PMD): control point commands and responses, and data frames.

Layouts from Polar's "Polar Measurement Data Specification for 3rd Party" and the
polar-ble-sdk (``BlePMDClient``, ``PmdControlPointResponse``, ``PmdSetting``). Little-endian.

Control point (write, indicate)::

    command   <op> <measurement type> [settings]        op 1 get settings, 2 start, 3 stop
    setting   <setting type> <count> <value>...         sizes: see SETTING_SIZES
    response  F0 <op> <measurement type> <status> <more> <parameters...>
    stopped   01 <measurement type>...                  the device ended a stream itself
    read      0F <feature bits>...                      byte 1: bit n = measurement type n

Data (notify)::

    <measurement type> <uint64 ns since 2000-01-01, of the LAST sample> <frame type> <samples>

A frame type with bit 7 set is delta-compressed: one reference sample (channels x resolution,
signed), then blocks ``<bit width> <count> <count x channels deltas>``, each delta a signed
``bit width``-bit number, bits taken least-significant first; every sample is the previous
one plus its deltas.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from firmware_bridge._reader import PayloadReader

PMD_SERVICE = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
PMD_CONTROL = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
PMD_DATA = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"

# Below this ATT MTU the control point stays silent (Polar's specification, "Prerequisite").
PMD_MIN_MTU = 232

RESPONSE_CODE = 0xF0
STOPPED_BY_DEVICE = 0x01
FEATURES_CODE = 0x0F
_MORE_FRAMES = 1
_DELTA_FRAME = 0x80


class MeasurementType(IntEnum):
    ECG = 0
    PPG = 1
    ACC = 2
    PPI = 3
    GYRO = 5
    MAGNETOMETER = 6


class ControlOp(IntEnum):
    GET_SETTINGS = 1
    START = 2
    STOP = 3


class SettingType(IntEnum):
    SAMPLE_RATE = 0  # Hz
    RESOLUTION = 1  # bits
    RANGE = 2  # +- g
    RANGE_MILLIUNIT = 3
    CHANNELS = 4
    FACTOR = 5  # float32, sent by the device only: raw value x factor = unit


SETTING_SIZES: Mapping[SettingType, int] = {
    SettingType.SAMPLE_RATE: 2,
    SettingType.RESOLUTION: 2,
    SettingType.RANGE: 2,
    SettingType.RANGE_MILLIUNIT: 4,
    SettingType.CHANNELS: 1,
    SettingType.FACTOR: 4,
}


class PmdStatus(IntEnum):
    SUCCESS = 0
    INVALID_OP_CODE = 1
    INVALID_MEASUREMENT_TYPE = 2
    NOT_SUPPORTED = 3
    INVALID_LENGTH = 4
    INVALID_PARAMETER = 5
    ALREADY_IN_STATE = 6
    INVALID_RESOLUTION = 7
    INVALID_SAMPLE_RATE = 8
    INVALID_RANGE = 9
    INVALID_MTU = 10
    INVALID_NUMBER_OF_CHANNELS = 11
    INVALID_STATE = 12
    DEVICE_IN_CHARGER = 13
    DISK_FULL = 14


_STATUS_MEANINGS = {
    PmdStatus.SUCCESS: "success",
    PmdStatus.INVALID_OP_CODE: "the device does not know this command",
    PmdStatus.INVALID_MEASUREMENT_TYPE: "the device does not know this measurement",
    PmdStatus.NOT_SUPPORTED: "the device does not support this measurement",
    PmdStatus.INVALID_LENGTH: "the command's length does not match its content",
    PmdStatus.INVALID_PARAMETER: "a setting the device does not accept (or one it did not list)",
    PmdStatus.ALREADY_IN_STATE: "already in that state (streaming, or already stopped)",
    PmdStatus.INVALID_RESOLUTION: "resolution not supported",
    PmdStatus.INVALID_SAMPLE_RATE: "sample rate not supported",
    PmdStatus.INVALID_RANGE: "range not supported",
    PmdStatus.INVALID_MTU: "the link's MTU is below what the device needs",
    PmdStatus.INVALID_NUMBER_OF_CHANNELS: "number of channels not supported",
    PmdStatus.INVALID_STATE: "the device is in a state that refuses this command",
    PmdStatus.DEVICE_IN_CHARGER: "the device is on its charger",
    PmdStatus.DISK_FULL: "the device's storage is full",
}


def status_meaning(status: int) -> str:
    """What a control point status code means, in words for a log or an error."""
    try:
        return _STATUS_MEANINGS[PmdStatus(status)]
    except ValueError:
        return f"unknown status {status}"


@dataclass(frozen=True, slots=True)
class ControlPointResponse:
    """``F0 <op> <type> <status> <more> <parameters>``; parameters only on success."""

    op: int
    measurement: int
    status: int
    more: bool
    parameters: bytes

    @property
    def ok(self) -> bool:
        return self.status == PmdStatus.SUCCESS


@dataclass(frozen=True, slots=True)
class MeasurementStopped:
    """The device ended these streams on its own (strap taken off, battery, ...)."""

    measurements: tuple[int, ...]


def parse_control_point(data: bytes) -> ControlPointResponse | MeasurementStopped:
    """Decode one indication from the PMD control point."""
    reader = PayloadReader("PMD control point message", data)
    code = reader.u8("message code")
    if code == STOPPED_BY_DEVICE:
        return MeasurementStopped(tuple(reader.rest()))
    if code != RESPONSE_CODE:
        raise reader.fail(f"unknown message code 0x{code:02x}", 0)
    op = reader.u8("op code")
    measurement = reader.u8("measurement type")
    status = reader.u8("status")
    if status != PmdStatus.SUCCESS:
        # Error responses carry a 'more' byte and nothing that means anything.
        return ControlPointResponse(op, measurement, status, False, b"")
    more = reader.remaining > 0 and reader.u8("more") == _MORE_FRAMES
    return ControlPointResponse(op, measurement, status, more, reader.rest())


def parse_features(data: bytes) -> frozenset[MeasurementType]:
    """Decode the control point's read value: which measurements the device offers."""
    reader = PayloadReader("PMD features", data)
    if reader.u8("feature code") != FEATURES_CODE:
        raise reader.fail("not a feature read response (0x0F)", 0)
    bits = reader.u8("feature bits")
    return frozenset(m for m in MeasurementType if bits & (1 << m))


Setting = int | float
Settings = Mapping[SettingType, tuple[Setting, ...]]


def parse_settings(data: bytes) -> dict[SettingType, tuple[Setting, ...]]:
    """Decode the settings a response lists (get settings: choices; start: the factor)."""
    settings: dict[SettingType, tuple[Setting, ...]] = {}
    if len(data) <= 1:
        # A start response's lone byte is reserved, not a setting (polar-ble-sdk agrees).
        return settings
    reader = PayloadReader("PMD settings", data)
    while reader.remaining:
        start = reader.offset
        raw_type = reader.u8("setting type")
        try:
            setting = SettingType(raw_type)
        except ValueError:
            raise reader.fail(f"unknown setting type {raw_type}", start) from None
        count = reader.u8("value count")
        size = SETTING_SIZES[setting]
        if setting is SettingType.FACTOR:
            values: tuple[Setting, ...] = tuple(
                struct.unpack("<f", reader.take(size, "factor"))[0] for _ in range(count)
            )
        else:
            values = tuple(reader.uint(size, setting.name.lower()) for _ in range(count))
        settings[setting] = values
    return settings


def choose_settings(
    available: Settings, *, sample_rate_hz: int, range_g: int
) -> dict[SettingType, int]:
    """One value for every setting the device lists, as close to the wishes as it allows.

    The device refuses a start that leaves out a listed setting or adds one it did not list
    (status 5), so exactly the listed types are chosen. The factor is the device's to say.
    """
    wishes = {SettingType.SAMPLE_RATE: sample_rate_hz, SettingType.RANGE: range_g}
    chosen: dict[SettingType, int] = {}
    for setting, values in sorted(available.items()):
        choices = [int(v) for v in values]
        if setting is SettingType.FACTOR or not choices:
            continue
        wish = wishes.get(setting)
        if wish is None:
            chosen[setting] = max(choices)  # resolution, channels: the most the device has
        else:
            # Nearest to the wish; of two as near, the higher one.
            chosen[setting] = min(choices, key=lambda v: (abs(v - wish), -v))
    return chosen


def command(
    op: ControlOp,
    measurement: MeasurementType,
    settings: Mapping[SettingType, int] | None = None,
) -> bytes:
    """A control point command: ``<op> <type>`` then each setting as ``<type> 01 <value>``."""
    out = bytearray([op, measurement])
    for setting, value in sorted((settings or {}).items()):
        out += bytes([setting, 1]) + value.to_bytes(SETTING_SIZES[setting], "little")
    return bytes(out)


@dataclass(frozen=True, slots=True)
class PmdFrame:
    """One data notification. ``samples`` are raw integers per channel, oldest first.

    For acceleration in a raw frame (types 0-2) they are mG; in a delta frame they are
    device units to multiply by the factor from the start response (type 0x80: gives g,
    as the polar-ble-sdk reads it) or mG (type 0x81 without a factor).
    """

    measurement: int
    timestamp_ns: int
    frame_type: int
    samples: tuple[tuple[int, ...], ...]

    @property
    def compressed(self) -> bool:
        return bool(self.frame_type & _DELTA_FRAME)


# Raw acceleration frame types: bytes per channel.
_RAW_ACC_SAMPLE_BYTES = {0: 1, 1: 2, 2: 3}
ACC_CHANNELS = 3
_MAX_DELTA_BITS = 32


def parse_pmd_frame(data: bytes, *, resolution_bits: int = 16) -> PmdFrame:
    """Decode a PMD data notification; samples are decoded for acceleration frames.

    ``resolution_bits`` is the resolution the stream was started with; only delta frames
    need it (their reference sample is that wide).
    """
    reader = PayloadReader("PMD data frame", data)
    measurement = reader.u8("measurement type")
    timestamp_ns = reader.uint(8, "timestamp")
    frame_type = reader.u8("frame type")
    if measurement != MeasurementType.ACC:
        # Other streams are not ours to decode; the header alone is still checked.
        return PmdFrame(measurement, timestamp_ns, frame_type, ())
    if frame_type & _DELTA_FRAME:
        if frame_type & 0x7F not in (0, 1):
            raise reader.fail(f"unknown delta frame type 0x{frame_type:02x}", 9)
        samples = _delta_samples(reader, ACC_CHANNELS, resolution_bits)
    else:
        size = _RAW_ACC_SAMPLE_BYTES.get(frame_type)
        if size is None:
            raise reader.fail(f"unknown acceleration frame type {frame_type}", 9)
        samples = _raw_samples(reader, ACC_CHANNELS, size)
    return PmdFrame(measurement, timestamp_ns, frame_type, samples)


def acceleration_in_g(frame: PmdFrame, factor: float) -> npt.NDArray[np.float64]:
    """An acceleration frame's samples as an (n, 3) array in g.

    ``factor`` is the one the start response gave (see :func:`parse_settings`); it only
    matters for delta frames, which carry device units.
    """
    samples = np.array(frame.samples, dtype=np.float64).reshape(-1, ACC_CHANNELS)
    if frame.frame_type == _DELTA_FRAME:
        return samples * factor  # type 0 delta frames: units x factor = g
    if frame.compressed:
        samples = samples * factor  # type 1 delta frames: units x factor = mG
    return samples / 1000.0


def default_factor(resolution_bits: int, range_g: int) -> float:
    """g per device unit when a start response names no factor: full range over full scale."""
    return range_g / (1 << (resolution_bits - 1))


def _raw_samples(reader: PayloadReader, channels: int, size: int) -> tuple[tuple[int, ...], ...]:
    sample_bytes = channels * size
    if not reader.remaining:
        raise reader.fail("a frame without samples")
    if reader.remaining % sample_bytes:
        whole = reader.remaining // sample_bytes
        raise reader.fail(
            f"{reader.remaining} bytes of samples is not a whole number of "
            f"{sample_bytes}-byte samples",
            reader.offset + whole * sample_bytes,
        )
    # One numpy pass for the whole frame: read field by field, a 36-sample frame cost
    # about as much as the tap detector's work on it (a hub streams hundreds a second).
    fields = np.frombuffer(reader.rest(), dtype=np.uint8).reshape(-1, size).astype(np.int64)
    values = (fields << (8 * np.arange(size, dtype=np.int64))).sum(axis=1)
    sign = np.int64(1) << (8 * size - 1)
    values = (values ^ sign) - sign  # two's complement, little-endian, ``size`` bytes
    return tuple(map(tuple, values.reshape(-1, channels).tolist()))


def _delta_samples(
    reader: PayloadReader, channels: int, resolution_bits: int
) -> tuple[tuple[int, ...], ...]:
    width = math.ceil(resolution_bits / 8)
    reference = tuple(
        _sign_extend(reader.uint(width, "reference sample"), resolution_bits)
        for _ in range(channels)
    )
    samples = [reference]
    while reader.remaining:
        block_at = reader.offset
        bits = reader.u8("delta bit width")
        count = reader.u8("delta count")
        if bits > _MAX_DELTA_BITS:
            raise reader.fail(f"delta bit width {bits} is wider than any sample", block_at)
        packed = int.from_bytes(
            reader.take(math.ceil(bits * count * channels / 8), "delta block"), "little"
        )
        mask = (1 << bits) - 1
        previous = samples[-1]
        for index in range(count):
            base = index * channels
            current = tuple(
                previous[channel] + _sign_extend((packed >> ((base + channel) * bits)) & mask, bits)
                for channel in range(channels)
            )
            samples.append(current)
            previous = current
    return tuple(samples)


def _sign_extend(value: int, bits: int) -> int:
    if bits and value & (1 << (bits - 1)):
        return value - (1 << bits)
    return value
