"""Any Bluetooth SIG heart-rate sensor: readings with RR intervals and skin contact."""

from __future__ import annotations

import logging
import time

from bleak import BleakClient

from firmware_bridge._driver import Capability, Clock, DeviceProfile, Emit, WearableDriver
from firmware_bridge._errors import MalformedPayload
from firmware_bridge._samples import HeartReading
from firmware_bridge.heart_rate._protocol import (
    BODY_SENSOR_LOCATION,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
    BodySensorLocation,
    parse_body_sensor_location,
    parse_heart_rate_measurement,
)

log = logging.getLogger(__name__)


class HeartRateDriver(WearableDriver):
    """Heart rate from the standard service; the base of every driver that reads 0x2A37.

    A reading goes out for every notification, a bpm of 0 included: straps send that when
    they lose the skin, and ``contact`` says so where the strap can tell.
    """

    profile = DeviceProfile(
        key="heart_rate",
        label="Heart-rate sensor",
        capabilities=frozenset({Capability.HEART_RATE}),
        advertised_services=(HEART_RATE_SERVICE,),
        # Sensors notify about once a second while worn.
        expected_interval_s=5.0,
    )

    def __init__(self, clock: Clock = time.monotonic) -> None:
        super().__init__(clock)
        self.body_sensor_location: BodySensorLocation | None = None
        self.energy_expended_kj: int | None = None

    async def start(self, client: BleakClient, emit: Emit) -> None:
        await self.start_heart_rate(client, emit)

    async def start_heart_rate(self, client: BleakClient, emit: Emit) -> None:
        """Reads the sensor's location (when it has one) and subscribes to measurements."""
        self.body_sensor_location = await self._read_location(client)

        def on_notify(_: object, data: bytearray) -> None:
            self._on_measurement(bytes(data), emit)

        await client.start_notify(HEART_RATE_MEASUREMENT, on_notify)

    async def _read_location(self, client: BleakClient) -> BodySensorLocation | None:
        if client.services.get_characteristic(BODY_SENSOR_LOCATION) is None:
            return None  # optional in the specification; many watches leave it out
        try:
            return parse_body_sensor_location(
                bytes(await client.read_gatt_char(BODY_SENSOR_LOCATION))
            )
        except MalformedPayload as error:
            self.malformed(error)
            return None

    def _on_measurement(self, data: bytes, emit: Emit) -> None:
        self.heard()
        try:
            measurement = parse_heart_rate_measurement(data)
        except MalformedPayload as error:
            self.malformed(error)
            return
        if measurement.energy_kj is not None:
            self.energy_expended_kj = measurement.energy_kj
        emit(HeartReading(self.clock(), measurement.bpm, measurement.rr_ms, measurement.contact))

    def malformed(self, error: MalformedPayload) -> None:
        """Counts and logs a payload that did not parse; the stream goes on."""
        self.count_malformed(error)
        log.warning("%s (dropped, %d so far)", error, self.malformed_count)
