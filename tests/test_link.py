"""The link's own duties: first connection to a device that turns up late, and silences."""

from __future__ import annotations

import asyncio

import pytest
from bleak import BleakClient

from firmware_bridge import (
    Backoff,
    BleBackends,
    DeviceEvent,
    Emit,
    LinkEvent,
    LinkState,
    WearableLink,
)
from firmware_bridge._silence import SilenceWatch
from firmware_bridge.bangle import NUS_TX, BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from signals import InputEvent, InputKind
from tests.helpers import linked, wait_until


def test_a_silence_is_reported_once_and_ended_by_the_next_word() -> None:
    watch = SilenceWatch(limit_s=15.0, now=100.0)
    assert not watch.go_stale(114.9)
    assert watch.seconds_left(110.0) == 5.0
    assert watch.go_stale(115.0)
    assert not watch.go_stale(200.0), "one report per silence"
    assert watch.heard(201.0), "the first word after a stale silence ends it"
    assert not watch.heard(202.0)
    assert not watch.go_stale(216.9)
    assert watch.go_stale(217.0), "a new silence counts from the last word"


def test_hearing_from_the_device_keeps_the_link_fresh() -> None:
    watch = SilenceWatch(limit_s=15.0, now=0.0)
    for second in range(0, 60, 5):  # a heartbeat every 5 s
        watch.heard(float(second))
        assert not watch.go_stale(second + 4.9)


async def test_a_connected_but_silent_device_is_reported_stale_then_restored() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:01:01"))
    async with linked(radio, watch, BangleDriver(), stale_after_s=0.1) as device:
        await wait_until(lambda: LinkState.STALE in [e.state for e in device.links])
        assert device.events == []
        watch.tap()
        await wait_until(lambda: bool(device.events))
        states = [e.state for e in device.links]
        assert states == [LinkState.CONNECTED, LinkState.STALE, LinkState.RESTORED]
        assert "silence" in device.links[-1].detail
        tap = device.events[0]
        assert isinstance(tap, InputEvent) and tap.kind is InputKind.TAP
        assert device.links[-1].at <= tap.at, "the link is back before the event is handed on"


async def test_a_heartbeat_line_ends_a_stale_silence_without_any_event() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:01:02"))
    async with linked(radio, watch, BangleDriver(), stale_after_s=0.1) as device:
        await wait_until(lambda: LinkState.STALE in [e.state for e in device.links])
        watch.send_line({"t": "hb"})
        await wait_until(lambda: device.links[-1].state is LinkState.RESTORED)
        assert device.events == []


async def test_a_drop_while_stale_is_reported_as_lost_and_the_link_comes_back() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:01:03"))
    async with linked(radio, watch, BangleDriver(), stale_after_s=0.1) as device:
        await wait_until(lambda: LinkState.STALE in [e.state for e in device.links])
        watch.drop_link()
        await wait_until(lambda: LinkState.LOST in [e.state for e in device.links])
        watch.tap()  # not heard: nobody is connected
        await wait_until(lambda: watch.connect_count == 2 and watch.is_subscribed(NUS_TX))
        watch.tap()
        await wait_until(lambda: bool(device.events))
        states = [e.state for e in device.links]
        assert states[:4] == [
            LinkState.CONNECTED,
            LinkState.STALE,
            LinkState.LOST,
            LinkState.RESTORED,
        ]
        assert device.links[3].detail == "reconnected"


async def test_the_first_connection_is_retried_until_a_late_device_turns_up() -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:01:04"))
    watch.leave()  # not in range when the session starts
    events: list[DeviceEvent] = []
    links: list[LinkEvent] = []
    link = WearableLink(
        watch.address,
        BangleDriver(),
        on_event=events.append,
        on_link=links.append,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
        find_timeout_s=0.05,
        backoff=Backoff(first_s=0.01, max_s=0.05),
    )
    task = asyncio.create_task(link.run())
    try:
        await wait_until(lambda: link.failed_attempts >= 2)
        assert links == [] and not link.connected.is_set()
        watch.come_back()
        async with asyncio.timeout(5):
            await link.connected.wait()
        assert [e.state for e in links] == [LinkState.CONNECTED]
        assert link.failed_attempts == 0
        watch.tap()
        await wait_until(lambda: bool(events))
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


class FaultyOnceBangle(BangleDriver):
    """A driver with a bug that bites on the first connection only."""

    def __init__(self) -> None:
        super().__init__()
        self.starts = 0

    async def start(self, client: BleakClient, emit: Emit) -> None:
        self.starts += 1
        if self.starts == 1:
            raise KeyError("a driver bug")
        await super().start(client, emit)


async def test_a_fault_in_a_driver_is_logged_and_retried_instead_of_ending_the_link(
    caplog: pytest.LogCaptureFixture,
) -> None:
    radio = SimRadio()
    watch = radio.add(SimulatedBangle("C0:00:00:00:01:05"))
    links: list[LinkEvent] = []
    driver = FaultyOnceBangle()
    link = WearableLink(
        watch.address,
        driver,
        on_event=lambda _: None,
        on_link=links.append,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
        backoff=Backoff(first_s=0.01, max_s=0.05),
    )
    task = asyncio.create_task(link.run())
    try:
        async with asyncio.timeout(5):
            await link.connected.wait()
        assert driver.starts == 2
        assert [e.state for e in links] == [LinkState.CONNECTED]
        assert "a driver bug" in caplog.text
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
