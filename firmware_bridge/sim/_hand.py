"""A wearer's hand on a simulated wearable: taps, presses, a held button, the radio link.

Every gesture goes out as the bytes the real device sends for it (a JSON line from the
Bangle.js app, a button state from a micro:bit, a music event or a call answer from
InfiniTime, a tap laid in a strap's acceleration stream), so the hub hears it through its
drivers exactly as it would hear the device. What a device cannot do is refused with a
:class:`GestureRefused` that says so.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum

from firmware_bridge.microbit._protocol import HOLD_S as MICROBIT_HOLD_S
from firmware_bridge.microbit._protocol import ButtonState
from firmware_bridge.pinetime._protocol import CallResponse, MusicEvent
from firmware_bridge.sim._bangle import SimulatedBangle
from firmware_bridge.sim._microbit import SimulatedMicrobit
from firmware_bridge.sim._peripheral import SimulatedPeripheral
from firmware_bridge.sim._pinetime import SimulatedPineTime
from firmware_bridge.sim._polar import SimulatedPolarH10

# A relaxed, deliberate rhythm, well inside the gesture classifier's 0.8 s gaps.
TAP_INTERVAL_S = 0.25
PRESS_INTERVAL_S = 0.3
# A short press, and a hold comfortably past the 1 s that makes it a stop.
PRESS_MS = 120
HOLD_MS = 1200


class Gesture(StrEnum):
    TAP = "tap"
    PRESS = "press"
    HOLD = "hold"


class GestureRefused(Exception):
    """The gesture cannot be made on this twin now; the message says why, in one line."""


async def perform_gesture(twin: SimulatedPeripheral, gesture: Gesture, count: int = 1) -> None:
    """Makes ``gesture`` ``count`` times (a hold is one long press) in a natural rhythm."""
    if count < 1:
        raise GestureRefused(f"the count must be at least 1, got {count}")
    repeats = 1 if gesture is Gesture.HOLD else count
    gap_s = TAP_INTERVAL_S if gesture is Gesture.TAP else PRESS_INTERVAL_S
    for index in range(repeats):
        if index:
            await asyncio.sleep(gap_s)
        if not twin.connected or not await _once(twin, gesture):
            raise GestureRefused(f"{twin.name} is not connected to the hub")


async def _once(twin: SimulatedPeripheral, gesture: Gesture) -> bool:
    """One gesture, as this kind of device sends it; False when nobody heard it."""
    held_ms = HOLD_MS if gesture is Gesture.HOLD else PRESS_MS
    if isinstance(twin, SimulatedBangle):
        if gesture is Gesture.TAP:
            return twin.tap()
        # The app reports a press when the button comes up, with how long it was held.
        await asyncio.sleep(held_ms / 1000)
        return twin.press(held_ms=held_ms)
    if isinstance(twin, SimulatedMicrobit | SimulatedPolarH10) and gesture is Gesture.TAP:
        if not twin.tap():
            raise GestureRefused(
                f"{twin.name} is not streaming acceleration, where its taps would be seen"
            )
        return True
    if isinstance(twin, SimulatedMicrobit):
        if not twin.button("A", ButtonState.PRESSED):
            return False
        if gesture is Gesture.HOLD:
            # The runtime says "held" once the button has been down 1.5 s, then "released".
            await asyncio.sleep(MICROBIT_HOLD_S)
            twin.button("A", ButtonState.HELD)
        else:
            await asyncio.sleep(held_ms / 1000)
        return twin.button("A", ButtonState.RELEASED)
    if isinstance(twin, SimulatedPineTime) and gesture is Gesture.TAP:
        return twin.touch_music(MusicEvent.NEXT)
    if isinstance(twin, SimulatedPineTime) and gesture is Gesture.PRESS:
        # A ringing pause or stop is acknowledged by accepting the call, as on the watch.
        if twin.ringing:
            return twin.answer(CallResponse.ACCEPT)
        return twin.touch_music(MusicEvent.PLAY)
    raise GestureRefused(f"{twin.name} cannot {gesture}: the device sends no such input")
