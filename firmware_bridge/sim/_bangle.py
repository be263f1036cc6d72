"""A simulated Bangle.js 2 running the comfort watch app."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from dataclasses import dataclass

from firmware_bridge.bangle._protocol import NUS_RX, NUS_SERVICE, NUS_TX, split_for_link
from firmware_bridge.sim._peripheral import SimCharacteristic, SimService, SimulatedPeripheral
from firmware_bridge.sim._resting import HEART_INTERVAL_S, RestingHeart

# The watch app's own heartbeat line, sent every 5 s (comfort.app.js HEARTBEAT_MS).
APP_HEARTBEAT_S = 5.0
_BUZZ = re.compile(rb"^Bangle\.buzz\((\d+),([0-9.]+)\)$")


@dataclass(frozen=True, slots=True)
class Buzz:
    """A buzz command the watch received; ``at`` is the event loop's clock on arrival."""

    ms: int
    strength: float
    at: float


class SimulatedBangle(SimulatedPeripheral):
    """Sends the app's JSON lines over NUS TX in ATT-sized pieces; runs buzz commands on RX.

    Tests and the demo drive it like a person would: :meth:`tap`, :meth:`press`,
    :meth:`heart`; everything written to it lands in :attr:`buzzes` or :attr:`console`.
    """

    def __init__(self, address: str, name: str | None = None, *, mtu: int = 23) -> None:
        super().__init__(
            address,
            name or f"Bangle.js {address.replace(':', '')[-4:].lower()}",
            [
                SimService(
                    NUS_SERVICE,
                    [
                        SimCharacteristic(NUS_RX, ["write", "write-without-response"]),
                        SimCharacteristic(NUS_TX, ["notify"]),
                    ],
                )
            ],
            advertised_services=[NUS_SERVICE],
            mtu=mtu,
        )
        self.buzzes: list[Buzz] = []
        self.console: list[bytes] = []
        self._rx = bytearray()
        self._changed = asyncio.Condition()

    # -- the wearer -----------------------------------------------------------------------

    def tap(self, *, double: bool = False, direction: str = "front") -> bool:
        return self.send_line({"t": "tap", "dir": direction, "double": double})

    def press(self, *, held_ms: int = 120) -> bool:
        return self.send_line({"t": "btn", "long": held_ms >= 1000, "ms": held_ms})

    def heart(self, bpm: int, confidence: int = 90) -> bool:
        return self.send_line({"t": "hrm", "bpm": bpm, "confidence": confidence})

    def send_line(self, message: dict[str, object]) -> bool:
        """What the watch app's ``Bluetooth.println(JSON.stringify(...))`` puts on the air."""
        return self.send_raw(json.dumps(message, separators=(",", ":")).encode() + b"\n")

    def send_raw(self, data: bytes) -> bool:
        if not self.is_subscribed(NUS_TX):
            return False
        for piece in split_for_link(data, self.mtu - 3):
            self.notify(NUS_TX, piece)
        return True

    # -- the watch ------------------------------------------------------------------------

    async def rest(self) -> None:
        """The app at rest: an HRM reading a second and its heartbeat line every 5 s."""
        heart = RestingHeart(self.address)
        beats_per_heartbeat = round(APP_HEARTBEAT_S / HEART_INTERVAL_S)
        for beat in itertools.count(1):
            await asyncio.sleep(HEART_INTERVAL_S)
            self.heart(heart.next_bpm())
            if beat % beats_per_heartbeat == 0:
                self.send_line({"t": "hb"})

    def on_connect(self) -> None:
        self._rx.clear()

    def on_write(self, uuid: str, data: bytes, response: bool) -> None:
        if uuid != NUS_RX:
            return
        self._rx += data
        *lines, rest = self._rx.split(b"\n")
        self._rx = bytearray(rest)
        for line in lines:
            command = line.lstrip(b"\x10")
            self.console.append(bytes(command))
            match = _BUZZ.match(command)
            if match:
                ms, strength = int(match[1]), float(match[2])
                self.buzzes.append(Buzz(ms, strength, asyncio.get_running_loop().time()))
        asyncio.get_running_loop().create_task(self._notify_changed())

    async def _notify_changed(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for_buzzes(self, count: int) -> list[Buzz]:
        """Waits until at least ``count`` buzzes have arrived in total; returns them all.

        Callers bound the wait with ``asyncio.timeout``.
        """
        async with self._changed:
            await self._changed.wait_for(lambda: len(self.buzzes) >= count)
        return list(self.buzzes)
