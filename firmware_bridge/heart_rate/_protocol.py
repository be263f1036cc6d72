"""The Bluetooth SIG Heart Rate Service (0x180D): measurement and body sensor location.

Heart Rate Measurement (0x2A37), little-endian::

    flags        uint8   bit 0: heart rate is uint16 (else uint8)
                         bits 1-2: sensor contact, 0/1 not supported, 2 no contact, 3 contact
                         bit 3: energy expended present;  bit 4: RR intervals present
                         bits 5-7: reserved, ignored
    heart rate   uint8 or uint16, beats per minute
    energy       uint16 kJ since the last reset          (only with bit 3)
    RR intervals uint16 each in 1/1024 s, to the end     (only with bit 4)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from bleak.uuids import normalize_uuid_str

from firmware_bridge._reader import PayloadReader

HEART_RATE_SERVICE = normalize_uuid_str("180d")
HEART_RATE_MEASUREMENT = normalize_uuid_str("2a37")
BODY_SENSOR_LOCATION = normalize_uuid_str("2a38")

_UINT16_VALUE = 0x01
_CONTACT_DETECTED = 0x02
_CONTACT_SUPPORTED = 0x04
_ENERGY_PRESENT = 0x08
_RR_PRESENT = 0x10

# RR intervals are counted in 1/1024 s.
RR_UNITS_PER_SECOND = 1024


@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """One decoded 0x2A37 notification.

    ``contact`` is None when the sensor does not report skin contact, otherwise whether it
    has it. ``rr_ms`` are the beat-to-beat intervals since the last notification, oldest
    first, in milliseconds.
    """

    bpm: int
    contact: bool | None
    energy_kj: int | None
    rr_ms: tuple[float, ...]


def parse_heart_rate_measurement(data: bytes) -> HeartRateMeasurement:
    """Decode a Heart Rate Measurement; raises :class:`MalformedPayload` for bad bytes."""
    reader = PayloadReader("heart rate measurement", data)
    flags = reader.u8("flags")
    bpm = reader.u16("uint16 heart rate") if flags & _UINT16_VALUE else reader.u8("heart rate")
    contact: bool | None = None
    if flags & _CONTACT_SUPPORTED:
        contact = bool(flags & _CONTACT_DETECTED)
    energy_kj = reader.u16("energy expended") if flags & _ENERGY_PRESENT else None
    rr_ms: tuple[float, ...] = ()
    if flags & _RR_PRESENT:
        if reader.remaining % 2:
            raise reader.fail(
                f"RR intervals are uint16, but {reader.remaining} bytes are left",
                len(reader.data) - 1,
            )
        rr_ms = tuple(
            reader.u16("RR interval") * 1000 / RR_UNITS_PER_SECOND
            for _ in range(reader.remaining // 2)
        )
    elif reader.remaining:
        raise reader.fail(f"{reader.remaining} bytes after the last field the flags announce")
    return HeartRateMeasurement(bpm=bpm, contact=contact, energy_kj=energy_kj, rr_ms=rr_ms)


class BodySensorLocation(IntEnum):
    OTHER = 0
    CHEST = 1
    WRIST = 2
    FINGER = 3
    HAND = 4
    EAR_LOBE = 5
    FOOT = 6


def parse_body_sensor_location(data: bytes) -> BodySensorLocation:
    """Decode Body Sensor Location (0x2A38): one byte, values 7-255 reserved."""
    reader = PayloadReader("body sensor location", data)
    value = reader.u8("location")
    if reader.remaining:
        raise reader.fail("one byte expected")
    try:
        return BodySensorLocation(value)
    except ValueError:
        raise reader.fail(f"reserved location value {value}", 0) from None
