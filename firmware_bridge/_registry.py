"""Which driver speaks to a device, from what it advertises; and which device a wearer wears.

Recognition goes through the known drivers in order, most specific first. A profile that
names its devices (``name_prefixes``) recognises them by name alone, since the services
it needs are often not advertised and the ones that are (the Nordic UART, 0x180D) are
shared with other devices. A profile without names recognises any device that advertises
one of its services.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.uuids import normalize_uuid_str

from firmware_bridge._driver import Capability, DeviceProfile, WearableDriver
from firmware_bridge._errors import DeviceNotFound
from firmware_bridge._link import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.heart_rate import HeartRateDriver
from firmware_bridge.immediate_alert import ImmediateAlertDriver
from firmware_bridge.microbit import MicrobitDriver
from firmware_bridge.pinetime import PineTimeDriver
from firmware_bridge.polar import PolarH10Driver

KNOWN_DRIVERS: tuple[type[WearableDriver], ...] = (
    # Recognised by name:
    BangleDriver,
    PolarH10Driver,
    PineTimeDriver,
    MicrobitDriver,
    # Recognised by an advertised service, so any maker's device:
    HeartRateDriver,
    ImmediateAlertDriver,
)

# The order capabilities are listed in, for people.
CAPABILITY_ORDER = (
    Capability.TAPS,
    Capability.BUTTONS,
    Capability.HEART_RATE,
    Capability.RAW_ACCEL,
    Capability.HAPTICS,
)


def profile_keys() -> list[str]:
    return [driver.profile.key for driver in KNOWN_DRIVERS]


def driver_for(profile_key: str) -> type[WearableDriver]:
    """The driver class of a profile, by its key (``"bangle"``, ``"polar_h10"``, ...)."""
    for driver in KNOWN_DRIVERS:
        if driver.profile.key == profile_key:
            return driver
    raise ValueError(f"no device profile {profile_key!r}; known: {', '.join(profile_keys())}")


def describe_capabilities(profile: DeviceProfile) -> str:
    """What a device can do, in words: "taps, buttons, heart rate, haptics"."""
    return ", ".join(
        c.value.replace("_", " ") for c in CAPABILITY_ORDER if c in profile.capabilities
    )


def recognise(name: str | None, service_uuids: Iterable[str]) -> type[WearableDriver] | None:
    """The driver for a device advertising ``name`` and ``service_uuids``, if any."""
    services = set()
    for uuid in service_uuids:
        try:
            services.add(normalize_uuid_str(uuid))
        except ValueError:
            continue  # a malformed UUID in someone's advertisement is no reason to fail
    for driver in KNOWN_DRIVERS:
        profile = driver.profile
        if profile.name_prefixes:
            if name and name.startswith(profile.name_prefixes):
                return driver
        elif services & set(profile.advertised_services):
            return driver
    return None


def _scanner_options(backends: BleBackends | None) -> dict[str, Any]:
    # bleak wants no backend argument at all for the platform's own radio.
    scanner = backends.scanner if backends is not None else None
    return {"backend": scanner} if scanner is not None else {}


@dataclass(frozen=True, slots=True)
class FoundDevice:
    """A device heard during a scan, and the driver that would speak to it (None: unknown)."""

    address: str
    name: str | None
    rssi: int | None
    services: tuple[str, ...]
    driver: type[WearableDriver] | None

    @property
    def profile(self) -> DeviceProfile | None:
        return self.driver.profile if self.driver is not None else None


def _found(device: BLEDevice, adv: AdvertisementData) -> FoundDevice:
    name = adv.local_name or device.name
    return FoundDevice(
        address=device.address.upper(),
        name=name,
        rssi=adv.rssi,
        services=tuple(adv.service_uuids),
        driver=recognise(name, adv.service_uuids),
    )


async def discover(
    timeout_s: float = 5.0, backends: BleBackends | None = None
) -> list[FoundDevice]:
    """Every device that advertised within ``timeout_s``: wearables first, strongest first."""
    heard = await BleakScanner.discover(
        timeout=timeout_s, return_adv=True, **_scanner_options(backends)
    )
    found = [_found(device, adv) for device, adv in heard.values()]
    return sorted(
        found, key=lambda f: (f.driver is None, -(f.rssi if f.rssi is not None else -999))
    )


@dataclass(frozen=True, slots=True)
class DeviceBinding:
    """Which device a wearer wears: a profile, and an address or None for "first found".

    ``DeviceBinding.parse("polar_h10")`` and ``DeviceBinding.parse("bangle@C0:..:01")``
    read the short form a configuration file or command line uses.
    """

    profile: str
    address: str | None = None

    def __post_init__(self) -> None:
        driver_for(self.profile)  # an unknown profile fails when the configuration is read
        if self.address is not None:
            object.__setattr__(self, "address", self.address.upper())

    @classmethod
    def parse(cls, text: str) -> DeviceBinding:
        profile, _, address = text.strip().partition("@")
        return cls(profile.strip(), address.strip() or None)

    def __str__(self) -> str:
        return f"{self.profile}@{self.address}" if self.address else self.profile


@dataclass(frozen=True, slots=True)
class BoundDevice:
    """A binding resolved to one device: where it is and what speaks to it."""

    address: str
    driver: type[WearableDriver]
    name: str | None = None

    def new_driver(self) -> WearableDriver:
        return self.driver()


async def resolve(
    binding: DeviceBinding,
    *,
    timeout_s: float = 10.0,
    backends: BleBackends | None = None,
    exclude: Collection[str] = (),
) -> BoundDevice:
    """The device a binding means. "First found" scans until a device of the profile
    advertises, skipping the addresses in ``exclude`` (those other wearers wear)."""
    driver = driver_for(binding.profile)
    if binding.address is not None:
        return BoundDevice(binding.address, driver)
    taken = {address.upper() for address in exclude}

    def wanted(device: BLEDevice, adv: AdvertisementData) -> bool:
        return (
            device.address.upper() not in taken
            and recognise(adv.local_name or device.name, adv.service_uuids) is driver
        )

    device = await BleakScanner.find_device_by_filter(
        wanted, timeout=timeout_s, **_scanner_options(backends)
    )
    if device is None:
        raise DeviceNotFound(f"any {driver.profile.label}", timeout_s)
    return BoundDevice(device.address.upper(), driver, device.name)


async def resolve_all(
    bindings: Sequence[DeviceBinding],
    *,
    timeout_s: float = 10.0,
    backends: BleBackends | None = None,
) -> list[BoundDevice]:
    """Resolves every wearer's binding so that no two wearers get the same device.

    Bindings with an address are taken first, so "first found" never picks a device a
    wearer named; the rest resolve in order.
    """
    resolved: dict[int, BoundDevice] = {}
    for index, binding in enumerate(bindings):
        if binding.address is not None:
            resolved[index] = await resolve(binding)
    for index, binding in enumerate(bindings):
        if binding.address is None:
            taken = [device.address for device in resolved.values()]
            resolved[index] = await resolve(
                binding, timeout_s=timeout_s, backends=backends, exclude=taken
            )
    return [resolved[index] for index in range(len(bindings))]
