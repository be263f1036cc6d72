"""bleak backends (client and scanner) that talk to a :class:`SimRadio` instead of a radio.

They use only bleak's documented backend interface, so everything above them, bleak's own
``BleakClient``/``BleakScanner`` and bleak-retry-connector included, runs unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ClassVar

from bleak.args import SizedBuffer
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDeviceNotFoundError, BleakError

from firmware_bridge.sim._peripheral import PeripheralLink, SimulatedPeripheral
from firmware_bridge.sim._radio import SimRadio

CCCD_UUID = "00002902-0000-1000-8000-00805f9b34fb"


class SimBleakClient(BaseBleakClient):
    """A bleak client backend connected to a simulated peripheral."""

    radio: ClassVar[SimRadio]

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
        )
        self._peripheral: SimulatedPeripheral | None = None

    @property
    def name(self) -> str:
        return self._peripheral.name if self._peripheral else self.address

    @property
    def mtu_size(self) -> int:
        return self._peripheral.mtu if self._peripheral else 23

    @property
    def is_connected(self) -> bool:
        return self._peripheral is not None and self._peripheral.connected

    async def connect(self, pair: bool = False, **kwargs: Any) -> None:
        peripheral = self.radio.lookup(self.address)
        if peripheral is None:
            raise BleakDeviceNotFoundError(
                self.address, f"Device with address {self.address} was not found."
            )
        if peripheral.connected:
            # Most wearables accept one central at a time (a phone app may already hold it).
            raise BleakError(f"{peripheral.name} is connected to another central")
        await asyncio.sleep(0)
        self._peripheral = peripheral
        peripheral.attach(PeripheralLink(self._link_lost))
        self.services = self._build_services(peripheral)

    async def disconnect(self) -> None:
        peripheral, self._peripheral = self._peripheral, None
        if peripheral is not None and peripheral.connected:
            peripheral.detach()
        self.services = None
        # bleak's platform backends call the callback on a requested disconnect as well.
        if peripheral is not None and self._disconnected_callback is not None:
            self._disconnected_callback()

    def _link_lost(self) -> None:
        self._peripheral = None
        self.services = None
        if self._disconnected_callback is not None:
            self._disconnected_callback()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def unpair(self) -> None:
        return None

    def _connected_peripheral(self) -> SimulatedPeripheral:
        if self._peripheral is None or not self._peripheral.connected:
            raise BleakError(f"Not connected to {self.address}")
        return self._peripheral

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        peripheral = self._connected_peripheral()
        await asyncio.sleep(0)
        return bytearray(peripheral.on_read(characteristic.uuid))

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        self._connected_peripheral()
        return bytearray(b"\x00\x00")

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        peripheral = self._connected_peripheral()
        wanted = "write" if response else "write-without-response"
        if wanted not in characteristic.properties:
            raise BleakError(f"{characteristic.uuid} does not support {wanted}")
        payload = bytes(data)
        if len(payload) > peripheral.mtu - 3:
            # A real stack refuses (or truncates) a write longer than the ATT payload.
            raise BleakError(
                f"write of {len(payload)} bytes exceeds the ATT payload of {peripheral.mtu - 3}"
            )
        await asyncio.sleep(0)
        peripheral.on_write(characteristic.uuid, payload, response)

    async def write_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, data: SizedBuffer
    ) -> None:
        self._connected_peripheral()

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        peripheral = self._connected_peripheral()
        if not {"notify", "indicate"} & set(characteristic.properties):
            raise BleakError(f"{characteristic.uuid} does not notify")
        await asyncio.sleep(0)
        peripheral.subscribe(characteristic.uuid, callback)

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        self._connected_peripheral().unsubscribe(characteristic.uuid)

    def _build_services(self, peripheral: SimulatedPeripheral) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        handle = 1
        for sim_service in peripheral.services:
            service = BleakGATTService(None, handle, sim_service.uuid)
            collection.add_service(service)
            handle += 1
            for sim_char in sim_service.characteristics:
                char = BleakGATTCharacteristic(
                    None,
                    handle,
                    sim_char.uuid,
                    list(sim_char.properties),  # type: ignore[arg-type]
                    lambda: self.mtu_size - 3,
                    service,
                )
                collection.add_characteristic(char)
                handle += 1
                if {"notify", "indicate"} & set(sim_char.properties):
                    collection.add_descriptor(BleakGATTDescriptor(None, handle, CCCD_UUID, char))
                    handle += 1
        return collection


class SimBleakScanner(BaseBleakScanner):
    """A bleak scanner backend that hears the radio's peripherals advertise."""

    radio: ClassVar[SimRadio]

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: str = "active",
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.seen_devices = {}
        # Advertising must go on after start() returns, or find_device_by_* never sees it.
        self._task = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            # gather, not a suppressed CancelledError: a caller cancelled while it waits here
            # (a hub stopping during a scan) must stay cancelled, or it would carry on.
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _listen(self) -> None:
        while True:
            for peripheral in self.radio.in_range():
                if peripheral.connected:
                    continue  # most wearables stop advertising while connected
                adv = AdvertisementData(
                    local_name=peripheral.name,
                    manufacturer_data={},
                    service_data={},
                    service_uuids=list(peripheral.advertised_services),
                    tx_power=None,
                    rssi=peripheral.rssi,
                    platform_data=(),
                )
                if not self.is_allowed_uuid(adv.service_uuids):
                    continue
                device = self.create_or_update_device(
                    peripheral.address, peripheral.address, peripheral.name, None, adv
                )
                self.call_detection_callbacks(device, adv)
            await asyncio.sleep(self.radio.advertising_interval_s)
