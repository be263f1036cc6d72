"""A simulated Bluetooth SIG heart-rate strap."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from firmware_bridge.heart_rate._protocol import (
    BODY_SENSOR_LOCATION,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
    RR_UNITS_PER_SECOND,
    BodySensorLocation,
)
from firmware_bridge.sim._peripheral import SimCharacteristic, SimService, SimulatedPeripheral
from firmware_bridge.sim._resting import HEART_INTERVAL_S, RestingHeart


def heart_rate_service(location: BodySensorLocation | None) -> SimService:
    """The 0x180D service as straps and watches expose it."""
    characteristics = [SimCharacteristic(HEART_RATE_MEASUREMENT, ["notify"])]
    if location is not None:
        characteristics.append(SimCharacteristic(BODY_SENSOR_LOCATION, ["read"], bytes([location])))
    return SimService(HEART_RATE_SERVICE, characteristics)


def measurement_bytes(
    bpm: int,
    rr_ms: Sequence[float] = (),
    *,
    contact: bool | None = None,
    energy_kj: int | None = None,
    wide: bool = False,
) -> bytes:
    """What a sensor's firmware puts in one Heart Rate Measurement notification."""
    flags = 0
    if wide or bpm > 0xFF:
        flags |= 0x01
    if contact is not None:
        flags |= 0x04 | (0x02 if contact else 0)
    if energy_kj is not None:
        flags |= 0x08
    if rr_ms:
        flags |= 0x10
    out = bytearray([flags])
    out += bpm.to_bytes(2 if flags & 0x01 else 1, "little")
    if energy_kj is not None:
        out += energy_kj.to_bytes(2, "little")
    for interval in rr_ms:
        out += round(interval * RR_UNITS_PER_SECOND / 1000).to_bytes(2, "little")
    return bytes(out)


class SimulatedHeartStrap(SimulatedPeripheral):
    """A chest strap that implements the standard service and nothing else."""

    def __init__(
        self,
        address: str,
        name: str | None = None,
        *,
        location: BodySensorLocation | None = BodySensorLocation.CHEST,
        reports_contact: bool = True,
    ) -> None:
        super().__init__(
            address,
            name or f"HRM {address.replace(':', '')[-4:]}",
            [heart_rate_service(location)],
            advertised_services=[HEART_RATE_SERVICE],
        )
        self.reports_contact = reports_contact

    def beat(
        self,
        bpm: int,
        rr_ms: Sequence[float] = (),
        *,
        on_skin: bool = True,
        energy_kj: int | None = None,
    ) -> bool:
        """One notification, as the strap sends about once a second."""
        contact = on_skin if self.reports_contact else None
        return self.send(measurement_bytes(bpm, rr_ms, contact=contact, energy_kj=energy_kj))

    async def rest(self) -> None:
        """A strap on a resting wearer: one measurement a second, with contact."""
        heart = RestingHeart(self.address)
        while True:
            await asyncio.sleep(HEART_INTERVAL_S)
            bpm = heart.next_bpm()
            self.beat(bpm, heart.rr_ms(bpm))

    def send(self, data: bytes) -> bool:
        """Any bytes on the measurement characteristic (tests send broken ones too)."""
        return self.notify(HEART_RATE_MEASUREMENT, data)
