"""What every wearable driver provides, and the profile that describes its device family."""

from __future__ import annotations

import abc
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from bleak import BleakClient

from firmware_bridge._errors import HapticsUnsupported, MalformedPayload
from firmware_bridge._samples import DeviceEvent
from signals import HapticPattern

Emit = Callable[[DeviceEvent], None]
Clock = Callable[[], float]


class Capability(StrEnum):
    TAPS = "taps"
    BUTTONS = "buttons"
    HEART_RATE = "heart_rate"
    RAW_ACCEL = "raw_acceleration"
    HAPTICS = "haptics"


@dataclass(frozen=True, slots=True)
class DeviceProfile:
    """A device family: how to recognise it and what it can do."""

    key: str
    label: str
    capabilities: frozenset[Capability]
    advertised_services: tuple[str, ...] = ()
    name_prefixes: tuple[str, ...] = ()
    # Longest silence expected from a healthy, connected device before it counts as stale.
    expected_interval_s: float | None = None


class WearableDriver(abc.ABC):
    """Turns one connected device's notifications into events, and alert patterns into writes.

    A driver is given a connected ``BleakClient``; it never connects by itself, so the same
    driver serves a real device and a simulated one. :meth:`start` runs after every
    (re)connection, because subscriptions do not survive a reconnect.
    """

    profile: ClassVar[DeviceProfile]

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self.malformed_count = 0
        self.last_malformed: MalformedPayload | None = None
        # When the device last sent anything at all, on ``clock``; None before the first byte.
        self.last_heard_at: float | None = None
        self._liveness_listener: Callable[[], None] | None = None

    @property
    def expected_interval_s(self) -> float | None:
        """Longest silence this device shows while healthy; None when silence is normal.

        The profile's value by default; a driver that learns on connection what the device
        streams (and so how often it speaks) overrides this.
        """
        return self.profile.expected_interval_s

    def watch_liveness(self, listener: Callable[[], None] | None) -> None:
        """Have ``listener`` called whenever the device is heard from (link supervision)."""
        self._liveness_listener = listener

    def heard(self) -> None:
        """Note that the device sent something, even a byte that carries no event.

        Every notification handler calls this first: a heartbeat, a garbled packet or a
        reading the hub ignores all prove the link alive, so none of them may leave the
        link looking stale.
        """
        self.last_heard_at = self.clock()
        if self._liveness_listener is not None:
            self._liveness_listener()

    @abc.abstractmethod
    async def start(self, client: BleakClient, emit: Emit) -> None:
        """Subscribe to the device's notifications; events go to ``emit``."""

    async def play(self, client: BleakClient, pattern: HapticPattern) -> None:
        """Render ``pattern`` on the device's motor."""
        raise HapticsUnsupported(self.profile.label)

    def count_malformed(self, error: MalformedPayload) -> None:
        """Record a payload that did not parse; the stream goes on."""
        self.malformed_count += 1
        self.last_malformed = error
