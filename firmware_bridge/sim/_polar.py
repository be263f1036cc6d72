"""A simulated Polar H10: the standard heart-rate service and Polar's PMD service."""

from __future__ import annotations

import asyncio
import itertools
import math
import struct
from collections.abc import Sequence

from firmware_bridge.heart_rate._protocol import (
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
    BodySensorLocation,
)
from firmware_bridge.polar._pmd import (
    PMD_CONTROL,
    PMD_DATA,
    PMD_MIN_MTU,
    PMD_SERVICE,
    ControlOp,
    MeasurementType,
    PmdStatus,
    SettingType,
)
from firmware_bridge.sim._heart_strap import heart_rate_service, measurement_bytes
from firmware_bridge.sim._peripheral import SimCharacteristic, SimService, SimulatedPeripheral
from firmware_bridge.sim._resting import (
    HEART_INTERVAL_S,
    STREAM_STEP_S,
    TAP_PEAK_G,
    RestingHeart,
    StillBody,
)

Sample = tuple[int, int, int]

# What a real H10 answers (Polar's PMD specification, "Request Stream Settings").
H10_ACC_SETTINGS = bytes.fromhex(
    "00 04 19 00 32 00 64 00 c8 00 01 01 10 00 02 03 02 00 04 00 08 00"
)
H10_ECG_SETTINGS = bytes.fromhex("00 01 82 00 01 01 0e 00")
# Control point read: ECG (bit 0) and acceleration (bit 2).
H10_FEATURES = bytes.fromhex("0f 05") + bytes(15)
_H10_RATES = (25, 50, 100, 200)
_H10_RANGES = (2, 4, 8)
# A delta-framing device's start answer names its factor: 0.000244 g per unit.
DELTA_FACTOR = struct.unpack("<f", bytes.fromhex("40 da 7f 39"))[0]
# The strap's clock: ns since 2000-01-01 (any day will do).
_FIRST_TIMESTAMP_NS = 599_618_164_814_402_794
_FRAME_HEADER = 10
_RESPONSE = 0xF0


class SimulatedPolarH10(SimulatedPeripheral):
    """Answers PMD commands as the strap does and streams acceleration frames.

    It stays silent, as the real one does, unless the MTU is at least 232 and both the
    control point and the data characteristic have notifications on. With
    ``delta_frames`` it streams delta-compressed frames (type 0x80, like Polar's optical
    sensors) instead of the H10's raw type 1 frames.
    """

    def __init__(
        self,
        address: str,
        name: str | None = None,
        *,
        mtu: int = PMD_MIN_MTU,
        delta_frames: bool = False,
    ) -> None:
        super().__init__(
            address,
            name or f"Polar H10 {address.replace(':', '')[-8:]}",
            [
                heart_rate_service(BodySensorLocation.CHEST),
                SimService(
                    PMD_SERVICE,
                    [
                        SimCharacteristic(PMD_CONTROL, ["read", "write", "indicate"], H10_FEATURES),
                        SimCharacteristic(PMD_DATA, ["notify"]),
                    ],
                ),
            ],
            advertised_services=[HEART_RATE_SERVICE],
            mtu=mtu,
        )
        self.delta_frames = delta_frames
        self.in_charger = False  # refuses to stream, as on its charger (status 13)
        self.commands: list[bytes] = []  # every control point write, in order
        self.acc_settings: dict[SettingType, int] | None = None  # while streaming
        self._timestamp_ns = _FIRST_TIMESTAMP_NS
        self._body: StillBody | None = None  # the resting wearer, while the stream runs

    # -- the wearer -----------------------------------------------------------------------

    def beat(self, bpm: int, rr_ms: Sequence[float] = ()) -> bool:
        """A heart-rate notification as the H10 sends it: contact, uint8 bpm, RR."""
        return self.notify(HEART_RATE_MEASUREMENT, measurement_bytes(bpm, rr_ms, contact=True))

    def move(self, samples_mg: Sequence[Sample]) -> int:
        """Stream these accelerometer samples (mG), as many frames as the MTU needs.

        Returns the number of frames sent; 0 when the stream is not running.
        """
        settings = self.acc_settings
        if settings is None or not self.is_subscribed(PMD_DATA):
            return 0
        rate = settings[SettingType.SAMPLE_RATE]
        per_frame = self._samples_per_frame()
        frames = 0
        for start in range(0, len(samples_mg), per_frame):
            chunk = samples_mg[start : start + per_frame]
            # The timestamp is the last sample's.
            self._timestamp_ns += round(len(chunk) * 1e9 / rate)
            self.send_data(self._frame(chunk))
            frames += 1
        return frames

    def tap(self, peak_g: float = TAP_PEAK_G) -> bool:
        """The wearer taps the strap: a tap in the resting acceleration stream (a soft tapper's
        with a lower ``peak_g``).

        False unless the twin is resting with acceleration streaming: a tap is only ever
        seen in the samples.
        """
        if self._body is None:
            return False
        self._body.tap(peak_g)
        return True

    def stop_by_itself(self) -> bool:
        """The strap ends the stream on its own and says so on the control point."""
        if self.acc_settings is None:
            return False
        self.acc_settings = None
        return self.notify(PMD_CONTROL, bytes([0x01, MeasurementType.ACC]))

    def send_data(self, data: bytes) -> bool:
        """Any bytes on the data characteristic (tests send broken ones too)."""
        return self.notify(PMD_DATA, data)

    # -- the strap ------------------------------------------------------------------------

    async def rest(self) -> None:
        """A heart reading a second and, while streaming, still acceleration in full frames."""
        heart = RestingHeart(self.address)
        loop = asyncio.get_running_loop()
        next_beat = loop.time() + HEART_INTERVAL_S
        waiting: list[Sample] = []
        while True:
            await asyncio.sleep(STREAM_STEP_S)
            if loop.time() >= next_beat:
                next_beat += HEART_INTERVAL_S
                bpm = heart.next_bpm()
                self.beat(bpm, heart.rr_ms(bpm))
            settings = self.acc_settings
            if settings is None:
                self._body, waiting = None, []
                continue
            if self._body is None:
                self._body = StillBody(self.address)
            samples_g = self._body.samples_until_now(settings[SettingType.SAMPLE_RATE])
            waiting += [
                (round(x * 1000), round(y * 1000), round(z * 1000)) for x, y, z in samples_g
            ]
            # The H10 sends full frames only.
            whole = len(waiting) - len(waiting) % self._samples_per_frame()
            if whole:
                self.move(waiting[:whole])
                del waiting[:whole]

    def on_connect(self) -> None:
        self.acc_settings = None  # streams end with the connection

    def on_disconnect(self) -> None:
        self.acc_settings = None
        self._body = None

    def on_write(self, uuid: str, data: bytes, response: bool) -> None:
        if uuid != PMD_CONTROL:
            return
        self.commands.append(data)
        ready = (
            self.mtu >= PMD_MIN_MTU
            and self.is_subscribed(PMD_CONTROL)
            and self.is_subscribed(PMD_DATA)
        )
        if ready:
            self.notify(PMD_CONTROL, self._answer(data))

    def _answer(self, data: bytes) -> bytes:
        if len(data) < 2:
            op = data[0] if data else 0
            return bytes([_RESPONSE, op, 0, PmdStatus.INVALID_LENGTH, 0])
        op, measurement = data[0], data[1]
        if op == ControlOp.GET_SETTINGS:
            offered = {
                int(MeasurementType.ACC): H10_ACC_SETTINGS,
                int(MeasurementType.ECG): H10_ECG_SETTINGS,
            }
            if measurement not in offered:
                return bytes([_RESPONSE, op, measurement, PmdStatus.NOT_SUPPORTED, 0])
            return bytes([_RESPONSE, op, measurement, PmdStatus.SUCCESS, 0]) + offered[measurement]
        if op == ControlOp.START:
            if measurement != MeasurementType.ACC:
                return bytes([_RESPONSE, op, measurement, PmdStatus.NOT_SUPPORTED, 0])
            if self.acc_settings is not None:
                return bytes([_RESPONSE, op, measurement, PmdStatus.ALREADY_IN_STATE, 0])
            if self.in_charger:
                return bytes([_RESPONSE, op, measurement, PmdStatus.DEVICE_IN_CHARGER, 0])
            status, settings = _check_acc_settings(data[2:])
            if status != PmdStatus.SUCCESS:
                return bytes([_RESPONSE, op, measurement, status, 0])
            self.acc_settings = settings
            if self.delta_frames:
                factor = bytes([SettingType.FACTOR, 1]) + struct.pack("<f", DELTA_FACTOR)
                return bytes([_RESPONSE, op, measurement, PmdStatus.SUCCESS, 0]) + factor
            return bytes([_RESPONSE, op, measurement, PmdStatus.SUCCESS, 0, 0x01])
        if op == ControlOp.STOP:
            if measurement != MeasurementType.ACC or self.acc_settings is None:
                return bytes([_RESPONSE, op, measurement, PmdStatus.ALREADY_IN_STATE, 0])
            self.acc_settings = None
            return bytes([_RESPONSE, op, measurement, PmdStatus.SUCCESS, 0])
        return bytes([_RESPONSE, op, measurement, PmdStatus.INVALID_OP_CODE, 0])

    def _samples_per_frame(self) -> int:
        room = self.mtu - 3 - _FRAME_HEADER
        if self.delta_frames:
            # Reference sample, then one block of at most 16-bit deltas.
            return max(1, min(255, 1 + (room - 6 - 2) // 6))
        return max(1, room // 6)

    def _frame(self, samples: Sequence[Sample]) -> bytes:
        header = bytes([MeasurementType.ACC]) + self._timestamp_ns.to_bytes(8, "little")
        if not self.delta_frames:
            flat = [v for s in samples for v in s]
            body = struct.pack(f"<{len(flat)}h", *flat)
            return header + b"\x01" + body
        units = [tuple(round(v / 1000 / DELTA_FACTOR) for v in s) for s in samples]
        return header + b"\x80" + delta_encode(units)


def _check_acc_settings(data: bytes) -> tuple[PmdStatus, dict[SettingType, int]]:
    """What the H10 says to a start command's settings."""
    settings: dict[SettingType, int] = {}
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data):
            return PmdStatus.INVALID_LENGTH, {}
        kind, count = data[offset], data[offset + 1]
        if kind not in (SettingType.SAMPLE_RATE, SettingType.RESOLUTION, SettingType.RANGE):
            return PmdStatus.INVALID_PARAMETER, {}  # e.g. channels: the H10 lists none
        if count != 1 or offset + 4 > len(data):
            return PmdStatus.INVALID_LENGTH, {}
        settings[SettingType(kind)] = int.from_bytes(data[offset + 2 : offset + 4], "little")
        offset += 4
    if set(settings) != {SettingType.SAMPLE_RATE, SettingType.RESOLUTION, SettingType.RANGE}:
        return PmdStatus.INVALID_PARAMETER, {}
    if settings[SettingType.SAMPLE_RATE] not in _H10_RATES:
        return PmdStatus.INVALID_SAMPLE_RATE, {}
    if settings[SettingType.RESOLUTION] != 16:
        return PmdStatus.INVALID_RESOLUTION, {}
    if settings[SettingType.RANGE] not in _H10_RANGES:
        return PmdStatus.INVALID_RANGE, {}
    return PmdStatus.SUCCESS, settings


def delta_encode(samples: Sequence[Sequence[int]], resolution_bits: int = 16) -> bytes:
    """A delta frame's body: the first sample whole, then one block of the differences."""
    size = math.ceil(resolution_bits / 8)
    out = bytearray(b"".join(v.to_bytes(size, "little", signed=True) for v in samples[0]))
    deltas = [
        [now - before for now, before in zip(current, previous, strict=True)]
        for previous, current in itertools.pairwise(samples)
    ]
    if not deltas:
        return bytes(out)
    width = max(_signed_width(d) for row in deltas for d in row)
    mask = (1 << width) - 1
    packed = 0
    position = 0
    for row in deltas:
        for delta in row:
            packed |= (delta & mask) << position
            position += width
    out += bytes([width, len(deltas)])
    out += packed.to_bytes(math.ceil(position / 8), "little")
    return bytes(out)


def _signed_width(value: int) -> int:
    """The fewest bits that hold ``value`` as a two's complement number."""
    return max(1, (value if value >= 0 else ~value).bit_length() + 1)
