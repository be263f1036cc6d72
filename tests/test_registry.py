"""Recognising wearables from their advertisements, binding wearers, and ``comfort-hub scan``."""

from __future__ import annotations

import json

import pytest

from firmware_bridge import (
    BleBackends,
    DeviceBinding,
    DeviceNotFound,
    discover,
    driver_for,
    recognise,
    resolve,
    resolve_all,
)
from firmware_bridge.bangle import NUS_SERVICE, BangleDriver
from firmware_bridge.heart_rate import HeartRateDriver
from firmware_bridge.immediate_alert import ImmediateAlertDriver
from firmware_bridge.microbit import MicrobitDriver
from firmware_bridge.pinetime import PineTimeDriver
from firmware_bridge.polar import PolarH10Driver
from firmware_bridge.sim import SimRadio, SimulatedBangle, SimulatedHeartStrap, one_of_each
from hub.cli import main

HRS = "0000180d-0000-1000-8000-00805f9b34fb"


def backends(radio: SimRadio) -> BleBackends:
    return BleBackends(radio.client_backend(), radio.scanner_backend())


@pytest.mark.parametrize(
    ("name", "services", "driver"),
    [
        ("Bangle.js 7a1c", [NUS_SERVICE], BangleDriver),
        ("Bangle.js 7a1c", [], BangleDriver),
        ("Puck.js 2b3d", [NUS_SERVICE], None),  # the UART alone is not a Bangle
        ("Polar H10 A1B2C3D4", [HRS], PolarH10Driver),
        ("Polar H9 A1B2C3D4", [HRS], HeartRateDriver),  # no PMD accelerometer: a plain strap
        ("InfiniTime", [], PineTimeDriver),
        ("BBC micro:bit [zavit]", [], MicrobitDriver),
        (None, ["180d"], HeartRateDriver),  # 16-bit form, as some stacks report it
        ("Band 9", ["00001802-0000-1000-8000-00805f9b34fb"], ImmediateAlertDriver),
        ("Kitchen thermometer", ["181a", "not-a-uuid"], None),
    ],
)
def test_devices_are_recognised_from_name_and_services(
    name: str | None, services: list[str], driver: type | None
) -> None:
    assert recognise(name, services) is driver


def test_bindings_name_a_profile_and_maybe_an_address() -> None:
    assert DeviceBinding.parse("polar_h10") == DeviceBinding("polar_h10", None)
    bound = DeviceBinding.parse(" bangle@c0:ff:ee:00:00:01 ")
    assert bound == DeviceBinding("bangle", "C0:FF:EE:00:00:01")
    assert str(bound) == "bangle@C0:FF:EE:00:00:01"
    assert driver_for("pinetime") is PineTimeDriver
    with pytest.raises(ValueError, match="known: bangle, polar_h10"):
        DeviceBinding("fitbit")


async def test_discover_lists_wearables_first_with_their_drivers() -> None:
    found = await discover(0.2, backends(one_of_each()))
    assert [f.profile.key if f.profile else None for f in found] == [
        "bangle",
        "polar_h10",
        "pinetime",
        "microbit",
        "heart_rate",
        "immediate_alert",
        None,
    ]
    assert found[0].address == "C0:FF:EE:00:00:01" and found[0].rssi == -50


async def test_first_found_never_gives_two_wearers_the_same_device() -> None:
    radio = SimRadio()
    radio.add(SimulatedBangle("C0:00:00:00:0A:01"))
    radio.add(SimulatedBangle("C0:00:00:00:0A:02"))
    radio.add(SimulatedHeartStrap("C0:00:00:00:0A:03"))
    bound = await resolve_all(
        [DeviceBinding("bangle"), DeviceBinding("bangle", "C0:00:00:00:0A:01")],
        timeout_s=2,
        backends=backends(radio),
    )
    assert [b.address for b in bound] == ["C0:00:00:00:0A:02", "C0:00:00:00:0A:01"]
    assert all(b.driver is BangleDriver for b in bound)
    assert isinstance(bound[0].new_driver(), BangleDriver)


async def test_first_found_of_a_profile_nobody_wears_is_not_found() -> None:
    radio = SimRadio()
    radio.add(SimulatedHeartStrap("C0:00:00:00:0B:01"))
    with pytest.raises(DeviceNotFound, match="any Polar H10"):
        await resolve(DeviceBinding("polar_h10"), timeout_s=0.1, backends=backends(radio))


def test_scan_lists_nearby_wearables_and_what_each_can_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scan", "--simulated", "--timeout", "0.2"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["ADDRESS", "RSSI", "PROFILE", "DEVICE", "NAME", "CAN", "DO"]
    bangle = next(line for line in lines if line.startswith("C0:FF:EE:00:00:01"))
    assert "bangle" in bangle and bangle.endswith("taps, buttons, heart rate, haptics")
    polar = next(line for line in lines if line.startswith("C0:FF:EE:00:00:02"))
    assert "polar_h10" in polar and polar.endswith("heart rate, raw acceleration")
    assert "Kitchen thermometer" not in out
    assert "1 other device is not a wearable the hub knows" in out


def test_scan_all_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--simulated", "--timeout", "0.2", "--all", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 7
    pinetime = next(d for d in listed if d["profile"] == "pinetime")
    assert pinetime["capabilities"] == ["buttons", "haptics", "heart_rate", "taps"]
    assert listed[-1]["name"] == "Kitchen thermometer" and listed[-1]["profile"] is None
