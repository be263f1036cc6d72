"""The demo: two simulated wearers run through a scripted session on a real broker path."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub._broker import BrokerAddress, embedded_broker
from hub._broker_check import check_credentials
from hub._bus import EventBus
from hub._config import default_data_dir
from hub._console import ConsoleReporter
from hub._demo_script import PARTNER, SIGNALLER, DemoScenario, DemoTally, summarise
from hub._hub import Hub, WearerDevice
from hub._service import open_store
from hub._sound import HubSpeaker, find_player
from hub.store import EventStore, SessionRecorder
from hub.store._files import TIMELINES_FOLDER, private_directory

if TYPE_CHECKING:
    from hub.web import PageAccess

PAIR_ID = "demo"


@contextlib.asynccontextmanager
async def _broker(given: BrokerAddress | None) -> AsyncIterator[BrokerAddress]:
    if given is None:
        async with embedded_broker() as address:
            yield address
    else:
        # A broker that refuses the credentials is said at once, not after the ready wait.
        await check_credentials(given)
        yield given


@contextlib.contextmanager
def _page_socket(web_port: int | None) -> Iterator[socket.socket | None]:
    """The page's port, claimed before anything is connected: a busy one is said at once."""
    if web_port is None:
        yield None
        return
    from hub.web import listen_for_page

    with listen_for_page("127.0.0.1", web_port, setting="--web-port") as listening:
        yield listening


async def run_demo(
    out: TextIO,
    *,
    duration_s: float | None,
    broker: BrokerAddress | None,
    web_port: int | None,
    sound: bool = False,
    data_dir: Path | None = None,
) -> int:
    """Runs the scripted demo; returns the exit status (0 when every signal got through).

    Raises :class:`~hub.web.WebPortBusy` for a busy ``web_port`` and
    :class:`~hub._broker_check.BrokerRefused` for a broker that refuses the credentials."""
    reporter = ConsoleReporter(out)
    store = open_store(data_dir or default_data_dir(), reporter.say)
    try:
        with _page_socket(web_port) as listening:
            return await _run_demo(
                reporter,
                store,
                duration_s=duration_s,
                given_broker=broker,
                web_port=web_port,
                listening=listening,
                sound=sound,
            )
    finally:
        store.close("demo stopped")


async def _run_demo(
    reporter: ConsoleReporter,
    store: EventStore,
    *,
    duration_s: float | None,
    given_broker: BrokerAddress | None,
    web_port: int | None,
    listening: socket.socket | None,
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

    async with _broker(given_broker) as broker:
        reporter.say(f"broker {broker}{' (embedded)' if given_broker is None else ''}")
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
            if listening is not None:
                from hub.web import serve

                twins = {SIGNALLER: signaller, PARTNER: partner}
                web_task = tasks.create_task(
                    serve(
                        hub,
                        bus,
                        port=web_port or 0,
                        say=reporter.say,
                        twins=twins,
                        recorder=recorder,
                        access=_page_access(hub, store),
                        listening=listening,
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
            scenario = tasks.create_task(
                DemoScenario(signaller, partner, tally, reporter.say).run()
            )
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
    status = summarise(tally, reporter.say)
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
