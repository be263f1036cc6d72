"""A simulated radio: the place where simulated peripherals live and bleak backends find them."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from firmware_bridge.sim._peripheral import SimulatedPeripheral

if TYPE_CHECKING:
    from firmware_bridge.sim._backend import SimBleakClient, SimBleakScanner

P = TypeVar("P", bound=SimulatedPeripheral)


class SimRadio:
    """Holds simulated peripherals and hands out bleak backend classes bound to them.

    Each radio is separate, so every test can have its own devices::

        radio = SimRadio()
        watch = radio.add(SimulatedBangle("C0:00:00:00:00:01"))
        async with BleakClient(watch.address, backend=radio.client_backend()) as client: ...
    """

    def __init__(self) -> None:
        self._peripherals: dict[str, SimulatedPeripheral] = {}
        # How often a device in range advertises, as seen by a scanner.
        self.advertising_interval_s = 0.05

    def add(self, peripheral: P) -> P:
        self._peripherals[peripheral.address] = peripheral
        return peripheral

    def remove(self, peripheral: SimulatedPeripheral) -> None:
        peripheral.leave()
        self._peripherals.pop(peripheral.address, None)

    def lookup(self, address: str) -> SimulatedPeripheral | None:
        peripheral = self._peripherals.get(address.upper())
        return peripheral if peripheral is not None and peripheral.in_range else None

    def in_range(self) -> list[SimulatedPeripheral]:
        return [p for p in self._peripherals.values() if p.in_range]

    def client_backend(self) -> type[SimBleakClient]:
        from firmware_bridge.sim._backend import SimBleakClient

        return type("SimBleakClient", (SimBleakClient,), {"radio": self})

    def scanner_backend(self) -> type[SimBleakScanner]:
        from firmware_bridge.sim._backend import SimBleakScanner

        return type("SimBleakScanner", (SimBleakScanner,), {"radio": self})
