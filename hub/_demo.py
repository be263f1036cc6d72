"""The demo: two simulated wearers run through a scripted session on a real broker path."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub._broker import BrokerAddress, embedded_broker
from hub._bus import EventBus
from hub._config import default_data_dir
from hub._console import ConsoleReporter
from hub._events import AlertUndelivered, Confirmed, HubEvent, PartnerAlerted, SignalSent
from hub._hub import Hub, WearerDevice
from hub._service import open_store
from hub._session import SessionSettings
from hub._sound import HubSpeaker, find_player
from hub.store import EventStore, SessionRecorder
from hub.store._files import TIMELINES_FOLDER, private_directory
from signals import ComfortSignal, pattern_for

if TYPE_CHECKING:
    from hub.web import PageAccess

PAIR_ID = "demo"
SIGNALLER, PARTNER = "alex", "sam"
# Time between the taps of one pattern: a relaxed, deliberate rhythm.
TAP_INTERVAL_S = 0.25
# How long the partner takes to notice and press.
ACK_DELAY_S = 1.2
REALERT_INTERVAL_S = SessionSettings().realert_interval_s


@dataclass
class DemoTally:
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


@contextlib.asynccontextmanager
async def _broker(url: str | None) -> AsyncIterator[BrokerAddress]:
    if url is None:
        async with embedded_broker() as address:
            yield address
    else:
        yield BrokerAddress.parse(url)


class _Scenario:
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


async def run_demo(
    out: TextIO,
    *,
    duration_s: float | None,
    broker_url: str | None,
    web_port: int | None,
    sound: bool = False,
    data_dir: Path | None = None,
) -> int:
    """Runs the scripted demo; returns the exit status (0 when every signal got through)."""
    reporter = ConsoleReporter(out)
    store = open_store(data_dir or default_data_dir(), reporter.say)
    try:
        return await _run_demo(
            reporter,
            store,
            duration_s=duration_s,
            broker_url=broker_url,
            web_port=web_port,
            sound=sound,
        )
    finally:
        store.close("demo stopped")


async def _run_demo(
    reporter: ConsoleReporter,
    store: EventStore,
    *,
    duration_s: float | None,
    broker_url: str | None,
    web_port: int | None,
    sound: bool,
) -> int:
    tally = DemoTally()
    radio = SimRadio()
    signaller = radio.add(SimulatedBangle("C0:FF:EE:00:00:01", name="Bangle.js alex"))
    partner = radio.add(SimulatedBangle("C0:FF:EE:00:00:02", name="Bangle.js sam"))
    # Like the real watches: a heart reading a second, so neither link looks gone.
    signaller.resting = partner.resting = True

    bus = EventBus()
    recorder = SessionRecorder(
        store,
        PAIR_ID,
        (SIGNALLER, PARTNER),
        devices={SIGNALLER: "simulated bangle", PARTNER: "simulated bangle"},
        demo=True,
    )
    bus.subscribe(recorder)
    bus.subscribe(tally.observe)
    bus.subscribe(reporter)
    speaker = _speaker(sound, reporter.say)
    if speaker is not None:
        bus.subscribe(speaker)

    async with _broker(broker_url) as broker:
        reporter.say(f"broker {broker}{' (embedded)' if broker_url is None else ''}")
        hub = Hub(
            PAIR_ID,
            (SIGNALLER, PARTNER),
            [
                WearerDevice(SIGNALLER, signaller.address, BangleDriver()),
                WearerDevice(PARTNER, partner.address, BangleDriver()),
            ],
            broker,
            observer=bus.publish,
            backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
        )
        async with asyncio.TaskGroup() as tasks:
            hub_task = tasks.create_task(hub.run())
            if web_port is not None:
                from hub.web import serve

                twins = {SIGNALLER: signaller, PARTNER: partner}
                web_task = tasks.create_task(
                    serve(
                        hub,
                        bus,
                        port=web_port,
                        say=reporter.say,
                        twins=twins,
                        recorder=recorder,
                        access=_page_access(hub, store),
                    )
                )
            else:
                web_task = None
            try:
                async with asyncio.timeout(15):
                    await hub.ready()
            except TimeoutError:
                reporter.say(f"could not reach the broker at {broker} or the wearables")
                hub_task.cancel()
                if web_task is not None:
                    web_task.cancel()
                return 2
            scenario = tasks.create_task(_Scenario(signaller, partner, tally, reporter.say).run())
            if duration_s is None:
                await scenario
                reporter.say("scenario done; the hub keeps running (Ctrl-C to stop)")
                await asyncio.Event().wait()
                return 0
            # The demo lasts duration_s from here, whether the scenario fits in it or not.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + duration_s
            await asyncio.wait({scenario}, timeout=duration_s)
            scenario.cancel()
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            async with asyncio.timeout(5):
                await hub.relay.drained()
            hub_task.cancel()
            if web_task is not None:
                web_task.cancel()
    status = _summarise(tally, reporter.say)
    _show_timeline(recorder, store, hub if web_port is not None else None, web_port, reporter.say)
    return status


def _page_access(hub: Hub, store: EventStore) -> PageAccess:
    """The data folder's page tokens, as `comfort-hub run` on that folder has them: so the
    links the demo prints still open once a hub serves the folder again."""
    from hub.web import page_access
    from hub.web._access import load_or_create_page_secret

    return page_access(hub, load_or_create_page_secret(store.path.parent))


def _show_timeline(
    recorder: SessionRecorder,
    store: EventStore,
    hub: Hub | None,
    web_port: int | None,
    say: Callable[[str], None],
) -> None:
    """Ends the demo's session and says where its timeline is."""
    session = recorder.end("demo finished")
    if session is None:
        return
    from hub.timeline import build_timeline, export

    page = private_directory(store.path.parent / TIMELINES_FOLDER) / f"{session.id}.html"
    export(build_timeline(store, session.id), "html", page)
    say(f"timeline of session {session.id}: {page}")
    if hub is not None and web_port:
        # With the wearer's token, or the page would refuse whoever opens it.
        link = _page_access(hub, store).link(
            f"http://127.0.0.1:{web_port}", SIGNALLER, f"/sessions/{session.id}"
        )
        say(f"  and at {link} (whenever a hub on this data folder serves its page there)")


def _speaker(wanted: bool, say: Callable[[str], None]) -> HubSpeaker | None:
    if not wanted:
        return None
    command = find_player()
    if command is None:
        say("no audio player (paplay or aplay) found: re-alerts stay silent on the hub")
        return None
    say(f"re-alerts sound on this machine through {command[0]}")
    return HubSpeaker(command)


def _summarise(tally: DemoTally, say: Callable[[str], None]) -> int:
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
