"""A simulated band whose only service is Immediate Alert."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from firmware_bridge._errors import MalformedPayload
from firmware_bridge.immediate_alert._protocol import (
    ALERT_LEVEL,
    IMMEDIATE_ALERT_SERVICE,
    AlertLevel,
    parse_alert_level,
)
from firmware_bridge.sim._peripheral import SimCharacteristic, SimService, SimulatedPeripheral


@dataclass(frozen=True, slots=True)
class AlertWrite:
    """An alert level the band received; ``at`` is the event loop's clock on arrival."""

    level: AlertLevel
    at: float


def immediate_alert_service() -> SimService:
    return SimService(
        IMMEDIATE_ALERT_SERVICE,
        [SimCharacteristic(ALERT_LEVEL, ["write-without-response"])],
    )


class SimulatedAlertBand(SimulatedPeripheral):
    """Vibrates at the level last written until told "no alert"; records every write."""

    def __init__(self, address: str, name: str | None = None) -> None:
        super().__init__(
            address,
            name or f"Band {address.replace(':', '')[-4:]}",
            [immediate_alert_service()],
            advertised_services=[IMMEDIATE_ALERT_SERVICE],
        )
        self.alerts: list[AlertWrite] = []
        self.ignored_writes = 0  # bytes that were not an alert level
        self.level = AlertLevel.NONE  # what the motor is doing now

    @property
    def vibrating(self) -> bool:
        return self.level is not AlertLevel.NONE

    def on_disconnect(self) -> None:
        # Bands stop alerting when the link goes; so does this one.
        self.level = AlertLevel.NONE

    def on_write(self, uuid: str, data: bytes, response: bool) -> None:
        if uuid != ALERT_LEVEL:
            return
        try:
            level = parse_alert_level(data)
        except MalformedPayload:
            self.ignored_writes += 1
            return
        self.level = level
        self.alerts.append(AlertWrite(level, asyncio.get_running_loop().time()))

    def levels(self) -> list[AlertLevel]:
        return [write.level for write in self.alerts]
