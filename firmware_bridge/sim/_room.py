"""A room with one of each simulated wearable in it (and a device that is not one)."""

from __future__ import annotations

from firmware_bridge.sim._alert_band import SimulatedAlertBand
from firmware_bridge.sim._bangle import SimulatedBangle
from firmware_bridge.sim._heart_strap import SimulatedHeartStrap
from firmware_bridge.sim._microbit import SimulatedMicrobit
from firmware_bridge.sim._peripheral import SimService, SimulatedPeripheral
from firmware_bridge.sim._pinetime import SimulatedPineTime
from firmware_bridge.sim._polar import SimulatedPolarH10
from firmware_bridge.sim._radio import SimRadio

ENVIRONMENTAL_SENSING = "181a"


def one_of_each(radio: SimRadio | None = None) -> SimRadio:
    """Adds one twin of every supported wearable to ``radio`` (a new one by default).

    For trying the hub without devices (``comfort-hub scan --simulated``) and for tests.
    Signal strengths differ, so the order a scan lists them in is fixed.
    """
    radio = radio or SimRadio()
    twins: list[SimulatedPeripheral] = [
        SimulatedBangle("C0:FF:EE:00:00:01"),
        SimulatedPolarH10("C0:FF:EE:00:00:02"),
        SimulatedPineTime("C0:FF:EE:00:00:03"),
        SimulatedMicrobit("C0:FF:EE:00:00:04"),
        SimulatedHeartStrap("C0:FF:EE:00:00:05"),
        SimulatedAlertBand("C0:FF:EE:00:00:06"),
        SimulatedPeripheral(
            "C0:FF:EE:00:00:07",
            "Kitchen thermometer",
            [SimService(ENVIRONMENTAL_SENSING)],
            advertised_services=[ENVIRONMENTAL_SENSING],
        ),
    ]
    for strength, twin in enumerate(twins):
        twin.rssi = -50 - 5 * strength
        radio.add(twin)
    return radio
