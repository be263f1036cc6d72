"""Simulated wearables, plugged into bleak as a custom backend.

The hub's device code runs unchanged against them: they advertise, accept one central,
expose a GATT table, send the same notification bytes a real device sends and record
every write made to them. With ``resting`` on they also speak unprompted, as the real
device does while its wearer sits still; :func:`perform_gesture` is a wearer's hand on them.
"""

from firmware_bridge.sim._alert_band import AlertWrite, SimulatedAlertBand
from firmware_bridge.sim._backend import SimBleakClient, SimBleakScanner
from firmware_bridge.sim._bangle import Buzz, SimulatedBangle
from firmware_bridge.sim._hand import Gesture, GestureRefused, perform_gesture
from firmware_bridge.sim._heart_strap import SimulatedHeartStrap
from firmware_bridge.sim._microbit import SimulatedMicrobit
from firmware_bridge.sim._peripheral import (
    SimCharacteristic,
    SimService,
    SimulatedPeripheral,
)
from firmware_bridge.sim._pinetime import SimulatedPineTime, WatchNotification
from firmware_bridge.sim._polar import SimulatedPolarH10
from firmware_bridge.sim._radio import SimRadio
from firmware_bridge.sim._room import one_of_each

__all__ = [
    "AlertWrite",
    "Buzz",
    "Gesture",
    "GestureRefused",
    "SimBleakClient",
    "SimBleakScanner",
    "SimCharacteristic",
    "SimRadio",
    "SimService",
    "SimulatedAlertBand",
    "SimulatedBangle",
    "SimulatedHeartStrap",
    "SimulatedMicrobit",
    "SimulatedPeripheral",
    "SimulatedPineTime",
    "SimulatedPolarH10",
    "WatchNotification",
    "one_of_each",
    "perform_gesture",
]
