"""The demo's script: what alex and sam do, and the tally of what reached whose wrist.

The wrist-to-wrist latency is measured on the simulated watches themselves: from the
completing gesture leaving alex's wrist to sam's motor command.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from firmware_bridge.sim import SimulatedBangle
from hub._events import AlertUndelivered, Confirmed, HubEvent, PartnerAlerted, SignalSent
from hub._session import SessionSettings
from signals import ComfortSignal, pattern_for

SIGNALLER, PARTNER = "alex", "sam"
# Time between the taps of one pattern: a relaxed, deliberate rhythm.
TAP_INTERVAL_S = 0.25
# How long the partner takes to notice and press.
ACK_DELAY_S = 1.2
REALERT_INTERVAL_S = SessionSettings().realert_interval_s


@dataclass
class DemoTally:
    """What the demo's hub reported: each signal sent, alerted, confirmed, and how fast."""

    sent: list[ComfortSignal] = field(default_factory=list)
    alerted: list[ComfortSignal] = field(default_factory=list)
    undelivered: list[ComfortSignal] = field(default_factory=list)
    confirmed: int = 0
    hub_latency_ms: list[float] = field(default_factory=list)
    wrist_latency_ms: list[float] = field(default_factory=list)

    def observe(self, event: HubEvent) -> None:
        if isinstance(event, SignalSent):
            self.sent.append(event.message.signal)
        elif isinstance(event, PartnerAlerted):
            self.alerted.append(event.message.signal)
            if event.latency_ms is not None:
                self.hub_latency_ms.append(event.latency_ms)
        elif isinstance(event, AlertUndelivered):
            self.undelivered.append(event.message.signal)
        elif isinstance(event, Confirmed) and event.delivered:
            self.confirmed += 1


class DemoScenario:
    """What the two wearers do, with the wrist-to-wrist latency measured on the watches."""

    def __init__(
        self,
        signaller: SimulatedBangle,
        partner: SimulatedBangle,
        tally: DemoTally,
        say: Callable[[str], None],
    ) -> None:
        self.signaller = signaller
        self.partner = partner
        self.tally = tally
        self.say = say

    async def taps(self, count: int, expect: ComfortSignal) -> None:
        self.say(f"[{SIGNALLER} taps {count} times]")
        loop = asyncio.get_running_loop()
        buzzes_before = len(self.partner.buzzes)
        for index in range(count):
            tapped_at = loop.time()
            self.signaller.tap()
            if index < count - 1:
                await asyncio.sleep(TAP_INTERVAL_S)
        await self._measure(tapped_at, buzzes_before, expect)

    async def long_press(self, expect: ComfortSignal) -> None:
        self.say(f"[{SIGNALLER} holds the button]")
        loop = asyncio.get_running_loop()
        buzzes_before = len(self.partner.buzzes)
        pressed_at = loop.time()
        self.signaller.press(held_ms=1200)
        await self._measure(pressed_at, buzzes_before, expect)

    async def _measure(self, gesture_at: float, before: int, expect: ComfortSignal) -> None:
        """Time from the completing gesture leaving the wrist to the partner's motor command."""
        first_pulse = pattern_for(expect).pulses[0]
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(3):
                while True:
                    for buzz in self.partner.buzzes[before:]:
                        if buzz.at >= gesture_at and buzz.ms == first_pulse.on_ms:
                            self.tally.wrist_latency_ms.append((buzz.at - gesture_at) * 1000)
                            return
                    await asyncio.sleep(0.002)

    async def partner_acknowledges(self, after_s: float = ACK_DELAY_S) -> None:
        await asyncio.sleep(after_s)
        self.say(f"[{PARTNER} presses the button once]")
        self.partner.press()

    async def partner_wearable_drops(self) -> None:
        self.say(f"[{PARTNER}'s wearable goes out of range for a moment]")
        self.partner.leave()
        await asyncio.sleep(1.5)
        self.partner.come_back()

    async def signaller_resumes(self) -> None:
        self.say(f"[{SIGNALLER} presses the button twice]")
        self.signaller.press()
        await asyncio.sleep(0.3)
        self.signaller.press()

    async def run(self) -> None:
        steps: list[Callable[[], Awaitable[None]]] = [
            lambda: self.taps(2, ComfortSignal.SLOW_DOWN),
            self.partner_acknowledges,
            lambda: asyncio.sleep(1.5),
            # A held slow_down is upgraded by a three-tap burst.
            lambda: self.taps(3, ComfortSignal.PAUSE),
            self.partner_acknowledges,
            lambda: asyncio.sleep(1.5),
            lambda: self.long_press(ComfortSignal.STOP),
            # Not noticed at first: the stop is alerted again, with sound, until it is.
            lambda: self.partner_acknowledges(REALERT_INTERVAL_S + 0.8),
            lambda: asyncio.sleep(1.5),
            self.signaller_resumes,
            lambda: asyncio.sleep(1.5),
            # Fail safe: while sam's wearable is gone, alex is told to pause.
            self.partner_wearable_drops,
            lambda: asyncio.sleep(2.5),
        ]
        for step in steps:
            await step()


def summarise(tally: DemoTally, say: Callable[[str], None]) -> int:
    say("summary:")
    say(f"  signals sent        {len(tally.sent)}: {', '.join(tally.sent)}")
    say(f"  partner alerts      {len(tally.alerted)}: {', '.join(tally.alerted)}")
    say(f"  confirmations felt  {tally.confirmed}")
    for label, values in (
        ("gesture -> partner buzz, on the wrists", tally.wrist_latency_ms),
        ("gesture at hub -> buzz command", tally.hub_latency_ms),
    ):
        if values:
            say(
                f"  {label}: median {statistics.median(values):.1f} ms, "
                f"max {max(values):.1f} ms over {len(values)}"
            )
    missing = [s for s in tally.sent if s not in tally.alerted] + tally.undelivered
    if missing:
        say(f"  PROBLEM: never reached the partner's wrist: {', '.join(missing)}")
        return 1
    return 0
