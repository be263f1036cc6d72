"""``comfort-hub run``: a hub built from a configuration file, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from firmware_bridge import BleBackends, BoundDevice, DeviceBinding
from firmware_bridge.sim import (
    SimRadio,
    SimulatedAlertBand,
    SimulatedBangle,
    SimulatedHeartStrap,
    SimulatedMicrobit,
    SimulatedPeripheral,
    SimulatedPineTime,
    SimulatedPolarH10,
)
from hub._broker import BrokerAddress, embedded_broker
from hub._bus import EventBus
from hub._config import HubSettings
from hub._console import ConsoleReporter
from hub._home_assistant import HomeAssistantOptions, attach_to_hub
from hub._hub import Hub, WearerDevice
from hub._lifecycle import (
    claim_data_folder,
    claim_web_port,
    find_wearables,
    run_until_stopped,
    until_stopped,
)
from hub._pair_key import load_or_create_key
from hub._private_files import ensure_private_dir, readable_by_others
from hub._session import Observer, SessionSettings
from hub._signing import MessageSeal
from hub._sound import HubSpeaker, find_player
from hub._stopping import StopRequests, describe_unsent
from hub._tap_calibrations import TapCalibrations
from hub._version import package_version
from hub.practice import PracticeRecords
from hub.store import EventStore, SessionRecorder, import_old_files

# How long "first found" bindings may scan before the hub gives up on starting.
RESOLVE_TIMEOUT_S = 30.0
# Session ends are measured in minutes: once a second is precise enough.
SESSION_CHECK_INTERVAL_S = 1.0

_TWINS: dict[str, Callable[[str], SimulatedPeripheral]] = {
    "bangle": SimulatedBangle,
    "polar_h10": SimulatedPolarH10,
    "pinetime": SimulatedPineTime,
    "microbit": SimulatedMicrobit,
    "heart_rate": SimulatedHeartStrap,
    "immediate_alert": SimulatedAlertBand,
}


def simulated_room(settings: HubSettings) -> tuple[SimRadio, dict[str, SimulatedPeripheral]]:
    """A twin of each configured device, at its configured address (or a made-up one), at
    rest like the real device (or it would look gone to the link supervision); with the
    twins by wearer, for ``comfort-hub sim``."""
    radio = SimRadio()
    twins: dict[str, SimulatedPeripheral] = {}
    for index, device in enumerate(settings.devices, start=1):
        twin = radio.add(_TWINS[device.profile](device.address or f"C0:FF:EE:00:10:{index:02X}"))
        twin.resting = True
        twins[device.wearer] = twin
    return radio, twins


def pair_seal(settings: HubSettings, say: Callable[[str], None]) -> MessageSeal:
    """The pair's key (made at first run) and this hub's counters, from the data directory."""
    key, made = load_or_create_key(settings.data_dir, settings.pair)
    if made:
        say(
            f"made a new pair key for {settings.pair!r}; a partner hub needs it too: "
            "comfort-hub pair-key show --config FILE"
        )
    return MessageSeal(
        key,
        encrypt=settings.security.encrypt,
        state_path=settings.data_dir / f"counters-{settings.pair}.json",
    )


def keep_files_private(settings: HubSettings, say: Callable[[str], None]) -> None:
    """Everything this hub writes is 0600 (directories 0700); files others can read are named."""
    # The event store, keys and tokens all hold intimate or secret data: the
    # umask makes every file this process creates private, whichever module creates it.
    os.umask(0o077)
    ensure_private_dir(settings.data_dir)
    for path in readable_by_others(settings.data_dir):
        say(f"warning: {path} can be read by other users of this machine (chmod go-rwx)")


async def run_service(
    settings: HubSettings,
    out: TextIO,
    *,
    simulated: bool = False,
    room: tuple[SimRadio, dict[str, SimulatedPeripheral]] | None = None,
    resolve_timeout_s: float = RESOLVE_TIMEOUT_S,
) -> int:
    """Runs the hub until SIGTERM or SIGINT (0), or until a part of it fails (1, its error
    said); ``room`` (implies ``simulated``) is the radio and the simulated wearables by wearer
    to use instead of twins made from the configuration.

    Raises :class:`~hub._lifecycle.HubCannotStart` for what keeps it from starting: its data
    folder held by another hub or its web port taken (both known before anything is
    connected), or a "first found" wearable not found. What it had opened is closed by then.
    """
    reporter = ConsoleReporter(out)
    stopping = StopRequests(reporter.say)
    stop = stopping.asked
    with contextlib.ExitStack() as resources:
        # First of all: a stop asked for at any moment, even while the wearables are still
        # looked for, is a clean one (not the default SIGTERM, which ends the process at once);
        # a second one stops at once (hub._stopping).
        stopping.install()
        resources.callback(stopping.uninstall)
        keep_files_private(settings, reporter.say)
        # Before anything else is read or connected: a second hub on this folder would share
        # its counters and its MQTT client id, and knock the first one off the broker.
        store = claim_data_folder(lambda: open_store(settings.data_dir, reporter.say))
        resources.callback(store.close)
        listening = claim_web_port(settings.web)
        if listening is not None:
            resources.callback(listening.close)
        seal = pair_seal(settings, reporter.say)
        bus = EventBus()
        bus.subscribe(reporter)
        if settings.sound:
            command = find_player()
            if command is None:
                reporter.say("sound is on, but no paplay or aplay was found: re-alerts stay silent")
            else:
                bus.subscribe(HubSpeaker(command))
        recorder = SessionRecorder(
            store,
            settings.pair,
            settings.wearers,
            local_wearers=tuple(d.wearer for d in settings.devices),
            devices={d.wearer: d.profile for d in settings.devices},
            idle_end_s=settings.session_idle_end_s,
        )
        bus.subscribe(recorder)
        backends: BleBackends | None = None
        twins: dict[str, SimulatedPeripheral] | None = None
        if simulated or room is not None:
            radio, twins = room or simulated_room(settings)
            backends = BleBackends(radio.client_backend(), radio.scanner_backend())
            hand = (
                " (`comfort-hub sim` taps, presses and drops them)" if settings.web.enabled else ""
            )
            reporter.say(f"simulated wearables: no Bluetooth is used{hand}")

        reporter.say(
            "finding "
            + ", ".join(
                f"{d.wearer}: {DeviceBinding(d.profile, d.address)}" for d in settings.devices
            )
        )
        finding = asyncio.create_task(
            find_wearables(settings.devices, timeout_s=resolve_timeout_s, backends=backends)
        )
        await until_stopped(stop, {"wearables' search": finding})
        if not finding.done():
            # Nothing was connected or published yet: there is no one to say goodbye to.
            finding.cancel()
            await asyncio.gather(finding, return_exceptions=True)
            reporter.say("stopped while still looking for the wearables")
            status = 0
        else:
            bound = finding.result()  # a wearable not found: HubCannotStart, naming it
            async with contextlib.AsyncExitStack() as stack:
                broker = settings.broker_address
                if broker is None:
                    broker = await stack.enter_async_context(embedded_broker())
                    reporter.say(f"embedded MQTT broker on {broker} (this machine only)")
                hub = _hub(settings, bound, broker, bus, backends, store, seal)
                if settings.home_assistant.enabled:
                    bus.subscribe(_home_assistant(hub, settings, reporter.say))
                parts = {
                    "hub": asyncio.create_task(hub.run()),
                    "session timer": asyncio.create_task(keep_sessions(recorder)),
                }
                if listening is not None:
                    parts["web page"] = asyncio.create_task(
                        _serve_page(hub, bus, settings, listening, twins, recorder, reporter.say)
                    )
                reporter.say(f"hub for pair {settings.pair!r} running; Ctrl-C stops it")
                stopping.last_words = lambda: describe_unsent(hub.relay.unsent, settings.pair)
                status = await run_until_stopped(
                    hub, parts, stop, reporter.say, send_timeout_s=settings.shutdown_send_timeout_s
                )
    reporter.say("hub stopped")
    return status


def _hub(
    settings: HubSettings,
    bound: list[BoundDevice],
    broker: BrokerAddress,
    bus: EventBus,
    backends: BleBackends | None,
    store: EventStore,
    seal: MessageSeal,
) -> Hub:
    return Hub(
        settings.pair,
        settings.wearers,
        [
            WearerDevice(d.wearer, b.address, b.new_driver())
            for d, b in zip(settings.devices, bound, strict=True)
        ],
        broker,
        observer=bus.publish,
        backends=backends,
        settings=SessionSettings(
            realert_interval_s=settings.realert_interval_s,
            contact_timeout_s=settings.contact_timeout_s,
            tap_calibrations=TapCalibrations.beside(store.path),
        ),
        store=store,
        practice_records=PracticeRecords.open(
            settings.wearers, store, settings.pair, settings.data_dir
        ),
        seal=seal,
    )


def _home_assistant(hub: Hub, settings: HubSettings, say: Callable[[str], None]) -> Observer:
    observer = attach_to_hub(
        hub,
        HomeAssistantOptions(
            discovery_prefix=settings.home_assistant.discovery_prefix,
            share_heart_rate=settings.home_assistant.share_heart_rate,
        ),
        version=package_version(),
    )
    say(
        "Home Assistant discovery on "
        f"{settings.home_assistant.discovery_prefix}/device/... (availability: this hub)"
    )
    return observer


async def _serve_page(
    hub: Hub,
    bus: EventBus,
    settings: HubSettings,
    listening: socket.socket,
    twins: dict[str, SimulatedPeripheral] | None,
    recorder: SessionRecorder,
    say: Callable[[str], None],
) -> None:
    from hub.web import page_access, serve
    from hub.web._access import load_or_create_page_secret, served_names

    access = replace(
        page_access(hub, load_or_create_page_secret(settings.data_dir)),
        hosts=served_names(settings.web.host, settings.web.names),
    )
    await serve(
        hub,
        bus,
        port=settings.web.port,
        host=settings.web.host,
        say=say,
        twins=twins,
        access=access,
        qr=settings.web.qr,
        recorder=recorder,
        listening=listening,
    )


def open_store(data_dir: Path, say: Callable[[str], None]) -> EventStore:
    """The event store under ``data_dir``, with older hubs' files imported once."""
    store = EventStore.open(data_dir)
    for name in import_old_files(store, data_dir):
        say(f"imported {name} into the event store")
    for session_id in store.crashed:
        say(f"session {session_id} ended when the hub stopped unexpectedly (marked: crash)")
    say(f"sessions and events are kept in {store.path}")
    return store


async def keep_sessions(recorder: SessionRecorder) -> None:
    """Ends a session whose wearables have all been gone long enough."""
    while True:
        await asyncio.sleep(SESSION_CHECK_INTERVAL_S)
        recorder.tick()
