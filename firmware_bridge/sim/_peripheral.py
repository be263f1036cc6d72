"""A simulated BLE peripheral: a GATT table, advertising, and a link to at most one central."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bleak.uuids import normalize_uuid_str

NotifyCallback = Callable[[bytearray], None]

# The default ATT MTU before any exchange; payloads are MTU - 3 bytes.
DEFAULT_MTU = 23
# How many of the latest notifications' hand-over times are kept (see handed_over_at).
HANDED_OVER_KEPT = 64


@dataclass
class SimCharacteristic:
    """One characteristic of a simulated GATT table; ``properties`` use bleak's names."""

    uuid: str
    properties: list[str]
    value: bytes = b""

    def __post_init__(self) -> None:
        self.uuid = normalize_uuid_str(self.uuid)


@dataclass
class SimService:
    uuid: str
    characteristics: list[SimCharacteristic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.uuid = normalize_uuid_str(self.uuid)


class PeripheralLink:
    """The central's end of a connection, as the peripheral sees it."""

    def __init__(self, on_lost: Callable[[], None]) -> None:
        self.subscriptions: dict[str, NotifyCallback] = {}
        self._on_lost = on_lost

    def lost(self) -> None:
        self._on_lost()


class SimulatedPeripheral:
    """Base class of every simulated wearable.

    Subclasses describe their GATT table and react to writes; they push data to the central
    with :meth:`notify`, which is dropped (as on a real device) unless the central subscribed.
    """

    def __init__(
        self,
        address: str,
        name: str,
        services: list[SimService],
        *,
        advertised_services: list[str] | None = None,
        mtu: int = DEFAULT_MTU,
        rssi: int = -60,
    ) -> None:
        self.address = address.upper()
        self.name = name
        self.services = services
        self.advertised_services = [normalize_uuid_str(u) for u in advertised_services or []]
        self.mtu = mtu
        self.rssi = rssi
        self.in_range = True
        self.connect_count = 0
        self._resting = False
        self._link: PeripheralLink | None = None
        self._rest_task: asyncio.Task[None] | None = None
        # Notifications sent so far, and (number, loop time) of the latest ones handed to
        # the central's callback: where a benchmark starts timing what the central does.
        self._notifications_sent = 0
        self._handed_over: deque[tuple[int, float]] = deque(maxlen=HANDED_OVER_KEPT)

    # -- what the central does to us ----------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._link is not None

    @property
    def resting(self) -> bool:
        """Whether the twin speaks unprompted while connected (see :meth:`rest`).

        Off by default so that tests script every byte; a hub on twins turns it on, or the
        silent twin would look gone to the hub's link supervision.
        """
        return self._resting

    @resting.setter
    def resting(self, on: bool) -> None:
        self._resting = on
        if on and self.connected:
            self._start_resting()
        elif not on:
            self._stop_resting()

    def _start_resting(self) -> None:
        if self._rest_task is None:
            self._rest_task = asyncio.get_running_loop().create_task(self.rest())

    def _stop_resting(self) -> None:
        if self._rest_task is not None:
            self._rest_task.cancel()
            self._rest_task = None

    def attach(self, link: PeripheralLink) -> None:
        self._link = link
        self.connect_count += 1
        self.on_connect()
        if self._resting:
            self._start_resting()

    def detach(self) -> None:
        self._link = None
        self._stop_resting()
        self.on_disconnect()

    def subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        if self._link is not None:
            self._link.subscriptions[normalize_uuid_str(uuid)] = callback
            self.on_subscribe(normalize_uuid_str(uuid))

    def unsubscribe(self, uuid: str) -> None:
        if self._link is not None:
            self._link.subscriptions.pop(normalize_uuid_str(uuid), None)

    def characteristic(self, uuid: str) -> SimCharacteristic:
        wanted = normalize_uuid_str(uuid)
        for service in self.services:
            for char in service.characteristics:
                if char.uuid == wanted:
                    return char
        raise KeyError(f"{self.name} has no characteristic {uuid}")

    # -- hooks for subclasses ---------------------------------------------------------------

    def on_connect(self) -> None:
        """Called when a central connects."""

    def on_disconnect(self) -> None:
        """Called when the link ends, whichever side ended it."""

    def on_subscribe(self, uuid: str) -> None:
        """Called when the central enables notifications on ``uuid``."""

    def on_write(self, uuid: str, data: bytes, response: bool) -> None:
        """Called for every write the central makes."""

    def on_read(self, uuid: str) -> bytes:
        return self.characteristic(uuid).value

    async def rest(self) -> None:
        """While connected with :attr:`resting` on: what the device sends unprompted when
        its wearer sits still (a heart reading a second, a heartbeat line, a still
        acceleration stream). Cancelled when the link ends; a device that says nothing at
        rest keeps this default.
        """

    # -- what the device does ---------------------------------------------------------------

    def is_subscribed(self, uuid: str) -> bool:
        return self._link is not None and normalize_uuid_str(uuid) in self._link.subscriptions

    def notify(self, uuid: str, data: bytes) -> bool:
        """Send one notification; False when nobody is subscribed (the packet is dropped).

        Delivery is scheduled on the event loop, never re-entrant, like a real radio.
        """
        if self._link is None:
            return False
        callback = self._link.subscriptions.get(normalize_uuid_str(uuid))
        if callback is None:
            return False
        self._notifications_sent += 1
        asyncio.get_running_loop().call_soon(
            self._hand_over, self._notifications_sent, callback, bytearray(data)
        )
        return True

    @property
    def notifications_sent(self) -> int:
        """How many notifications this device has sent (not dropped), counted from 1."""
        return self._notifications_sent

    def handed_over_at(self, number: int) -> float | None:
        """When (on the event loop's clock) notification ``number`` reached the central's
        callback, i.e. bleak handed it on; None if not yet, or too long ago to be kept."""
        return next((at for n, at in self._handed_over if n == number), None)

    def _hand_over(self, number: int, callback: NotifyCallback, data: bytearray) -> None:
        self._handed_over.append((number, asyncio.get_running_loop().time()))
        callback(data)

    def drop_link(self) -> None:
        """The radio link is lost (out of range, battery, interference)."""
        if self._link is not None:
            link = self._link
            self.detach()
            link.lost()

    def leave(self) -> None:
        """The device goes away: drops the link and stops advertising until :meth:`come_back`."""
        self.in_range = False
        self.drop_link()

    def come_back(self) -> None:
        self.in_range = True
