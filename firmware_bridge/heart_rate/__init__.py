"""Any Bluetooth SIG heart-rate sensor (Heart Rate Service 0x180D)."""

from firmware_bridge.heart_rate._driver import HeartRateDriver
from firmware_bridge.heart_rate._protocol import (
    BODY_SENSOR_LOCATION,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
    RR_UNITS_PER_SECOND,
    BodySensorLocation,
    HeartRateMeasurement,
    parse_body_sensor_location,
    parse_heart_rate_measurement,
)

__all__ = [
    "BODY_SENSOR_LOCATION",
    "HEART_RATE_MEASUREMENT",
    "HEART_RATE_SERVICE",
    "RR_UNITS_PER_SECOND",
    "BodySensorLocation",
    "HeartRateDriver",
    "HeartRateMeasurement",
    "parse_body_sensor_location",
    "parse_heart_rate_measurement",
]
