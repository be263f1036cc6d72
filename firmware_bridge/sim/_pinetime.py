"""A simulated PineTime running InfiniTime."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from firmware_bridge._errors import MalformedPayload
from firmware_bridge.heart_rate._protocol import HEART_RATE_MEASUREMENT
from firmware_bridge.immediate_alert._protocol import ALERT_LEVEL, parse_alert_level
from firmware_bridge.pinetime._protocol import (
    ALERT_NOTIFICATION_SERVICE,
    CALL_RESPONSE,
    MUSIC_EVENT,
    MUSIC_SERVICE,
    NEW_ALERT,
    AlertCategory,
    CallResponse,
    MusicEvent,
    parse_new_alert,
)
from firmware_bridge.sim._alert_band import AlertWrite, immediate_alert_service
from firmware_bridge.sim._heart_strap import heart_rate_service, measurement_bytes
from firmware_bridge.sim._peripheral import SimCharacteristic, SimService, SimulatedPeripheral
from firmware_bridge.sim._resting import HEART_INTERVAL_S, RestingHeart

# NimBLE on the PineTime asks for this and BlueZ accepts it.
INFINITIME_MTU = 247


@dataclass(frozen=True, slots=True)
class WatchNotification:
    """An alert shown on the watch; ``at`` is the event loop's clock on arrival."""

    category: AlertCategory
    title: str
    body: str
    at: float


class SimulatedPineTime(SimulatedPeripheral):
    """The services InfiniTime exposes to a companion, and a wearer to touch the watch.

    Every Alert Level write is one 35 ms buzz (kept in :attr:`buzzes`); a call alert rings
    (:attr:`ringing`) until the wearer :meth:`answer`\\ s.
    """

    def __init__(
        self, address: str, name: str = "InfiniTime", *, mtu: int = INFINITIME_MTU
    ) -> None:
        super().__init__(
            address,
            name,
            [
                heart_rate_service(None),
                immediate_alert_service(),
                SimService(
                    ALERT_NOTIFICATION_SERVICE,
                    [
                        SimCharacteristic(NEW_ALERT, ["write"]),
                        SimCharacteristic(CALL_RESPONSE, ["notify"]),
                    ],
                ),
                SimService(MUSIC_SERVICE, [SimCharacteristic(MUSIC_EVENT, ["notify"])]),
            ],
            mtu=mtu,
        )
        self.buzzes: list[AlertWrite] = []
        self.notifications: list[WatchNotification] = []
        self.ringing = False
        # InfiniTime notifies heart rate only while the watch measures it.
        self.measuring = True

    # -- the wearer -----------------------------------------------------------------------

    def heart(self, bpm: int) -> bool:
        """InfiniTime's heart-rate notification: flags 0, uint8 bpm."""
        return self.notify(HEART_RATE_MEASUREMENT, measurement_bytes(bpm))

    def touch_music(self, event: MusicEvent) -> bool:
        return self.notify(MUSIC_EVENT, bytes([event]))

    def answer(self, response: CallResponse) -> bool:
        """The wearer answers the ringing call screen."""
        if not self.ringing:
            return False
        self.ringing = False
        return self.notify(CALL_RESPONSE, bytes([response]))

    # -- the watch ------------------------------------------------------------------------

    async def rest(self) -> None:
        """While measuring, a heart-rate notification about once a second."""
        heart = RestingHeart(self.address)
        while True:
            await asyncio.sleep(HEART_INTERVAL_S)
            if self.measuring:
                self.heart(heart.next_bpm())

    def on_disconnect(self) -> None:
        pass  # a call screen stays up after the link goes, as on the watch

    def on_write(self, uuid: str, data: bytes, response: bool) -> None:
        now = asyncio.get_running_loop().time()
        if uuid == ALERT_LEVEL and data:
            # InfiniTime buzzes for any value; the twin only keeps the valid ones.
            with contextlib.suppress(MalformedPayload):
                self.buzzes.append(AlertWrite(parse_alert_level(data), now))
        elif uuid == NEW_ALERT and len(data) > 3:  # InfiniTime ignores empty messages
            try:
                category, title, body = parse_new_alert(data)
            except MalformedPayload:
                category, title, body = AlertCategory.SIMPLE, "", ""
            self.notifications.append(WatchNotification(category, title, body, now))
            if category is AlertCategory.CALL:
                self.ringing = True
