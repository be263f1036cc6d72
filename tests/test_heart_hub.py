"""Heart rate through the hub: a racing heart while still asks the partner to check in."""

from __future__ import annotations

import asyncio

from firmware_bridge.sim import SimulatedPolarH10
from hub import BrokerAddress, SessionSettings, SignalSent
from signals import ComfortSignal, HeartMonitorSettings, pattern_for
from tests.helpers import wait_until
from tests.hubs import strap_and_watch, times_played

# The monitor's minutes, shrunk to fractions of a second so the test runs in seconds.
QUICK = SessionSettings(
    heart=HeartMonitorSettings(
        window_s=2.0,
        surge_window_s=0.5,
        baseline_s=3.0,
        warmup_s=1.5,
        still_for_s=0.5,
        advisory_interval_s=60.0,
    )
)
TICK_S = 0.05


async def _beats(strap: SimulatedPolarH10, bpm: int, seconds: float, *, moving: bool) -> None:
    """Heartbeats and a frame of acceleration every tick, the chest still or heaving."""
    for step in range(round(seconds / TICK_S)):
        strap.beat(bpm, [60_000 / bpm])
        sway = 300 if moving and step % 2 else 0
        strap.move([(20, -980 + sway, 100)] * 5)
        await asyncio.sleep(TICK_S)


async def test_a_racing_heart_while_still_asks_the_partner_to_check_in(
    broker: BrokerAddress, pair_id: str
) -> None:
    async with strap_and_watch(broker, pair_id, settings=QUICK) as (strap, watch, seen):
        await _beats(strap, 64, 2.5, moving=False)
        assert seen.of(SignalSent) == []
        await _beats(strap, 118, 1.5, moving=False)
        await wait_until(lambda: times_played(watch, pattern_for(ComfortSignal.CHECK_IN)) == 1)
        (sent,) = seen.of(SignalSent)
        assert sent.message.signal == "check_in"
        assert sent.message.source == "heart"


async def test_a_racing_heart_while_moving_asks_nothing(
    broker: BrokerAddress, pair_id: str
) -> None:
    async with strap_and_watch(broker, pair_id, settings=QUICK) as (strap, watch, seen):
        await _beats(strap, 64, 2.5, moving=False)
        await _beats(strap, 118, 1.5, moving=True)
        assert seen.of(SignalSent) == []
        assert watch.buzzes == []
