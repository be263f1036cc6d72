"""What a wearer feels when patterns meet on one wrist (the table in hub._alerts): a stop
never waits, and a confirmation or a notice is never dropped by another pattern."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub._alerts import AlertPlayer
from signals import CONFIRMATION, HUB_STOPPING, LINK_RESTORED, ComfortSignal, HapticPattern
from signals import pattern_for as signal
from tests.helpers import linked, wait_until

STOP = signal(ComfortSignal.STOP)
PAUSE = signal(ComfortSignal.PAUSE)
# The notice that the partner cannot be heard feels like a pause.
LINK_LOST = PAUSE


class Wrist:
    """A player on a simulated watch, with the patterns that reached it whole, in order."""

    def __init__(self, player: AlertPlayer, watch: SimulatedBangle, link: asyncio.Event) -> None:
        self.player = player
        self.watch = watch
        self.connected = link
        self.started: list[str] = []
        self.felt: list[str] = []


@pytest.fixture
async def wrist() -> AsyncIterator[Wrist]:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:A1:01"))
    async with linked(radio, watch, BangleDriver()) as device:

        async def play(pattern: HapticPattern) -> bool:
            result.started.append(pattern.name)
            felt = await device.link.play(pattern)
            if felt:
                result.felt.append(pattern.name)
            return felt

        connected = device.link.connected
        result = Wrist(AlertPlayer(play, connected=connected), watch, connected)
        try:
            yield result
        finally:
            await result.player.close()


async def playing(wrist: Wrist, pattern: HapticPattern) -> None:
    await wait_until(lambda: wrist.started[-1:] == [pattern.name])


async def test_a_confirmation_waits_for_a_stop_alert_and_is_felt_after_it(wrist: Wrist) -> None:
    stop = wrist.player.alert(STOP)
    confirmation = wrist.player.confirm(CONFIRMATION)
    assert await stop and await confirmation
    assert wrist.felt == ["stop", "confirmation"]


async def test_a_stop_alert_cuts_a_confirmation_short_which_is_felt_again_after(
    wrist: Wrist,
) -> None:
    wrist.player.notify_link(LINK_LOST)
    confirmation = wrist.player.confirm(CONFIRMATION)
    await playing(wrist, LINK_LOST)
    stop = wrist.player.alert(STOP)
    assert await stop and await confirmation
    assert wrist.felt == ["stop", "pause", "confirmation"]


async def test_link_restored_never_drops_a_confirmation_waiting_behind_a_link_notice(
    wrist: Wrist,
) -> None:
    wrist.player.notify_link(LINK_LOST)
    await playing(wrist, LINK_LOST)
    confirmation = wrist.player.confirm(CONFIRMATION)
    restored = wrist.player.notify_link(LINK_RESTORED)
    assert await confirmation and await restored
    assert wrist.felt == ["pause", "confirmation", "link_restored"]


async def test_a_link_notice_waits_for_a_stop_alert(wrist: Wrist) -> None:
    stop = wrist.player.alert(STOP)
    await playing(wrist, STOP)
    notice = wrist.player.notify_link(LINK_LOST)
    assert await stop and await notice
    assert wrist.felt == ["stop", "pause"]


async def test_a_newer_alert_replaces_an_older_one_at_once(wrist: Wrist) -> None:
    pause = wrist.player.alert(PAUSE)
    await playing(wrist, PAUSE)
    stop = wrist.player.alert(STOP)
    assert await stop
    with pytest.raises(asyncio.CancelledError):
        await pause
    assert wrist.felt == ["stop"]


async def test_the_goodbye_comes_after_a_stop_and_a_waiting_confirmation(wrist: Wrist) -> None:
    wrist.player.alert(STOP)
    confirmation = wrist.player.confirm(CONFIRMATION)
    goodbye = wrist.player.notify(HUB_STOPPING)
    assert await confirmation and await goodbye
    assert wrist.felt == ["stop", "confirmation", "hub_stopping"]


async def test_a_stop_alert_cuts_the_goodbye_short_and_the_goodbye_is_felt_after(
    wrist: Wrist,
) -> None:
    goodbye = wrist.player.notify(HUB_STOPPING)
    await playing(wrist, HUB_STOPPING)
    stop = wrist.player.alert(STOP)
    assert await stop and await goodbye
    assert wrist.felt == ["stop", "hub_stopping"]


async def test_a_confirmation_the_watch_could_not_take_is_felt_once_it_is_back(
    wrist: Wrist,
) -> None:
    wrist.watch.leave()  # out of range
    await wait_until(lambda: not wrist.connected.is_set())
    confirmation = wrist.player.confirm(CONFIRMATION)
    await wait_until(lambda: wrist.started == ["confirmation"])
    wrist.watch.come_back()
    assert await asyncio.wait_for(confirmation, 30)
    assert wrist.felt == ["confirmation"]


async def test_a_flapping_link_leaves_no_notices_queued_ahead_of_a_confirmation(
    wrist: Wrist,
) -> None:
    wrist.player.alert(STOP)
    await playing(wrist, STOP)
    # The broker comes and goes twenty times while the stop plays.
    notices = []
    for _ in range(20):
        notices.append(wrist.player.notify_link(LINK_LOST))
        notices.append(wrist.player.notify_link(LINK_RESTORED))
    confirmation = wrist.player.confirm(CONFIRMATION)
    assert await confirmation
    # Each loss and its return cancelled out before either was felt: the wearer felt the
    # stop, then at once the confirmation, and no forty notices in between.
    assert wrist.felt == ["stop", "confirmation"]
    assert not any([await notice for notice in notices])


async def test_a_link_lost_for_good_is_felt_after_what_plays(wrist: Wrist) -> None:
    wrist.player.alert(STOP)
    await playing(wrist, STOP)
    wrist.player.notify_link(LINK_LOST)
    wrist.player.notify_link(LINK_RESTORED)
    lost = wrist.player.notify_link(LINK_LOST)
    assert await lost
    assert wrist.felt == ["stop", LINK_LOST.name]
