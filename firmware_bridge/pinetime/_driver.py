"""PineTime with InfiniTime: heart rate, music-app touches and call answers in; buzzes out."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import ClassVar

from bleak import BleakClient

from firmware_bridge._driver import Capability, Clock, DeviceProfile, Emit
from firmware_bridge._errors import HapticsUnsupported, MalformedPayload
from firmware_bridge._mtu import DEFAULT_ATT_MTU, negotiated_mtu
from firmware_bridge.heart_rate import HEART_RATE_MEASUREMENT, HeartRateDriver
from firmware_bridge.immediate_alert import ALERT_LEVEL, alert_level_bytes, alert_level_for
from firmware_bridge.pinetime._protocol import (
    CALL_RESPONSE,
    MOTOR_PULSE_MS,
    MUSIC_EVENT,
    NEW_ALERT,
    AlertCategory,
    CallResponse,
    MusicEvent,
    new_alert_bytes,
    parse_call_response,
    parse_music_event,
)
from signals import HapticPattern, InputEvent, InputKind, Pulse

log = logging.getLogger(__name__)

# A pulse longer than one motor pulse becomes a train of them this far apart, so a long
# pulse still feels longer than a short one.
BUZZ_TRAIN_SPACING_MS = 150

# Music-app touches as gestures: play/pause is the press (one acknowledges, two resume),
# next/previous are taps (two, three, four of them ask to slow down, pause, stop).
_MUSIC_INPUTS = {
    MusicEvent.PLAY: InputKind.BUTTON,
    MusicEvent.PAUSE: InputKind.BUTTON,
    MusicEvent.NEXT: InputKind.TAP,
    MusicEvent.PREVIOUS: InputKind.TAP,
}


class PineTimeDriver(HeartRateDriver):
    """InfiniTime has no tap or button service, so the hub borrows two of its own:

    - the music app: play/pause is a short button press; next and previous are taps;
    - a call alert: a pause or stop from the partner arrives as an incoming "call" titled
      with the signal, which rings until answered. **Accept** acknowledges it (a short
      press, exactly as on other devices); decline and mute only silence it, so the hub
      keeps re-alerting an unacknowledged stop.

    Every other pattern is played as Alert Level writes, each a 35 ms buzz. Heart rate
    comes only while the watch measures it, so silence is normal: no stale supervision.
    """

    profile = DeviceProfile(
        key="pinetime",
        label="PineTime (InfiniTime)",
        capabilities=frozenset(
            {Capability.TAPS, Capability.BUTTONS, Capability.HEART_RATE, Capability.HAPTICS}
        ),
        name_prefixes=("InfiniTime", "Pinetime-JF"),
        expected_interval_s=None,
    )
    # Signals that ring as a call until the wearer answers.
    RINGING_SIGNALS: ClassVar[frozenset[str]] = frozenset({"pause", "stop"})
    ACCEPT_HINT: ClassVar[str] = "Accept = got it"

    def __init__(self, clock: Clock = time.monotonic) -> None:
        super().__init__(clock)
        self.last_call_response: CallResponse | None = None
        self._playing = asyncio.Lock()

    async def start(self, client: BleakClient, emit: Emit) -> None:
        services = client.services
        if services.get_characteristic(HEART_RATE_MEASUREMENT) is not None:
            await self.start_heart_rate(client, emit)
        await self._subscribe(client, MUSIC_EVENT, lambda data: self._on_music(data, emit))
        await self._subscribe(client, CALL_RESPONSE, lambda data: self._on_answer(data, emit))

    async def _subscribe(
        self, client: BleakClient, uuid: str, handle: Callable[[bytes], None]
    ) -> None:
        if client.services.get_characteristic(uuid) is None:
            log.warning("%s has no %s (older InfiniTime?)", client.address, uuid)
            return

        def on_notify(_: object, data: bytearray) -> None:
            handle(bytes(data))

        await client.start_notify(uuid, on_notify)

    def _on_music(self, data: bytes, emit: Emit) -> None:
        self.heard()
        try:
            event = parse_music_event(data)
        except MalformedPayload as error:
            self.malformed(error)
            return
        kind = _MUSIC_INPUTS.get(event)
        if kind is not None:
            emit(InputEvent(kind, self.clock()))

    def _on_answer(self, data: bytes, emit: Emit) -> None:
        self.heard()
        try:
            answer = parse_call_response(data)
        except MalformedPayload as error:
            self.malformed(error)
            return
        self.last_call_response = answer
        if answer is CallResponse.ACCEPT:
            emit(InputEvent(InputKind.BUTTON, self.clock()))

    async def play(self, client: BleakClient, pattern: HapticPattern) -> None:
        async with self._playing:
            if pattern.name in self.RINGING_SIGNALS:
                await self._ring(client, pattern.name)
            else:
                await self._buzz(client, pattern)

    async def _ring(self, client: BleakClient, signal: str) -> None:
        if client.services.get_characteristic(NEW_ALERT) is None:
            raise HapticsUnsupported(f"{self.profile.label} without Alert Notification")
        mtu = await negotiated_mtu(client) or DEFAULT_ATT_MTU
        payload = new_alert_bytes(
            AlertCategory.CALL,
            signal.replace("_", " ").upper(),
            self.ACCEPT_HINT,
            max_bytes=mtu - 3,
        )
        await client.write_gatt_char(NEW_ALERT, payload, response=True)

    async def _buzz(self, client: BleakClient, pattern: HapticPattern) -> None:
        if client.services.get_characteristic(ALERT_LEVEL) is None:
            raise HapticsUnsupported(f"{self.profile.label} without Immediate Alert")
        for index, pulse in enumerate(pattern.pulses):
            for buzz in range(buzzes_for(pulse)):
                if buzz:
                    await asyncio.sleep(BUZZ_TRAIN_SPACING_MS / 1000)
                await client.write_gatt_char(
                    ALERT_LEVEL, alert_level_bytes(alert_level_for(pulse)), response=False
                )
            if index < len(pattern.pulses) - 1:
                await asyncio.sleep(_rest_after_ms(pulse) / 1000)


def buzzes_for(pulse: Pulse) -> int:
    """How many 35 ms motor pulses stand for one pattern pulse."""
    return max(1, round(pulse.on_ms / BUZZ_TRAIN_SPACING_MS))


def _rest_after_ms(pulse: Pulse) -> float:
    """From the train's last buzz to the next pulse: the pulse keeps its length in the
    pattern's rhythm (at least one motor pulse), then its pause."""
    train_ms = (buzzes_for(pulse) - 1) * BUZZ_TRAIN_SPACING_MS
    return max(MOTOR_PULSE_MS, pulse.on_ms - train_ms) + pulse.off_ms
