"""Bluetooth LE wearable drivers: bytes on the air to typed samples, alert patterns to writes.

One subpackage per device family, each with its wire protocol and driver:
``bangle`` (Bangle.js 2 and its watch app), ``polar`` (Polar H10), ``pinetime``
(InfiniTime), ``microbit`` (BBC micro:bit), ``heart_rate`` (any Bluetooth heart-rate
sensor) and ``immediate_alert`` (any band with Immediate Alert). ``sim`` holds their
simulated twins. Here: the link that keeps a device connected, and the registry that
recognises devices and binds wearers to them.

Errors are drawn in :mod:`firmware_bridge._errors`; every one derives from ``BridgeError``.
"""

from firmware_bridge._backoff import Backoff
from firmware_bridge._driver import Capability, Clock, DeviceProfile, Emit, WearableDriver
from firmware_bridge._errors import (
    BridgeError,
    DeviceCommandError,
    DeviceNotFound,
    HapticsUnsupported,
    MalformedPayload,
    MtuTooSmall,
)
from firmware_bridge._link import BleBackends, LinkEvent, LinkState, WearableLink
from firmware_bridge._registry import (
    KNOWN_DRIVERS,
    BoundDevice,
    DeviceBinding,
    FoundDevice,
    describe_capabilities,
    discover,
    driver_for,
    profile_keys,
    recognise,
    resolve,
    resolve_all,
)
from firmware_bridge._samples import AccelBatch, DeviceEvent, HeartReading

__all__ = [
    "KNOWN_DRIVERS",
    "AccelBatch",
    "Backoff",
    "BleBackends",
    "BoundDevice",
    "BridgeError",
    "Capability",
    "Clock",
    "DeviceBinding",
    "DeviceCommandError",
    "DeviceEvent",
    "DeviceNotFound",
    "DeviceProfile",
    "Emit",
    "FoundDevice",
    "HapticsUnsupported",
    "HeartReading",
    "LinkEvent",
    "LinkState",
    "MalformedPayload",
    "MtuTooSmall",
    "WearableDriver",
    "WearableLink",
    "describe_capabilities",
    "discover",
    "driver_for",
    "profile_keys",
    "recognise",
    "resolve",
    "resolve_all",
]
