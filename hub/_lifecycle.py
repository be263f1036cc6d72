"""What ``comfort-hub run`` makes sure of before it connects anything, and how it stops.

A hub that cannot start says why in one line (:class:`HubCannotStart`) as early as it can
be known: its data folder held by another hub and its web port taken are found before any
wearable or broker is connected; a "first found" wearable that never advertises, after
its scan. Once running, any part of the hub that ends (an error) ends the whole hub.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bleak.exc import BleakError

from firmware_bridge import (
    BleBackends,
    BoundDevice,
    DeviceBinding,
    DeviceNotFound,
    driver_for,
    resolve,
)
from hub._config import DeviceConfig, WebConfig
from hub._hub import DRAIN_TIMEOUT_S, Hub
from hub._stopping import describe_unsent
from hub.store import EventStore, NewerSchemaError, StoreInUseError

# Beyond the longest clean shutdown of a part (a save to settle, the broker's goodbye), how
# long it may take to end once cancelled before it is told again (and named): a part that
# swallows a cancellation must not keep the hub from stopping.
STOP_GRACE_S = 20.0


class HubCannotStart(Exception):
    """What keeps the hub from starting; the message is one line naming what is wrong."""


def claim_data_folder(open_store: Callable[[], EventStore]) -> EventStore:
    """The event store, held by this hub alone until it is closed."""
    try:
        return open_store()
    except (StoreInUseError, NewerSchemaError) as error:
        raise HubCannotStart(str(error)) from None


def claim_web_port(web: WebConfig) -> socket.socket | None:
    """The page's listening socket (None with the page off): a busy port is known at once."""
    if not web.enabled:
        return None
    from hub.web import WebPortBusy, listen_for_page

    try:
        return listen_for_page(web.host, web.port)
    except WebPortBusy as error:
        raise HubCannotStart(str(error)) from None


async def find_wearables(
    devices: Sequence[DeviceConfig], *, timeout_s: float, backends: BleBackends | None
) -> list[BoundDevice]:
    """Each wearer's device. A named one is taken as it is (its link connects it later);
    "first found" ones are scanned for in order, never taking a device another wearer has."""
    taken = [device.address for device in devices if device.address is not None]
    bound: list[BoundDevice] = []
    for device in devices:
        binding = DeviceBinding(device.profile, device.address)
        try:
            found = await resolve(binding, timeout_s=timeout_s, backends=backends, exclude=taken)
        except DeviceNotFound:
            label = driver_for(device.profile).profile.label
            raise HubCannotStart(
                f"{device.wearer}'s wearable (the first {label} found) was not found: none "
                f"advertised within {timeout_s:g} s (is it on, near, and not held by a phone?)"
            ) from None
        except BleakError as error:  # no Bluetooth adapter, or BlueZ away
            raise HubCannotStart(f"looking for {device.wearer}'s wearable: {error}") from None
        taken.append(found.address)
        bound.append(found)
    return bound


async def stop_all(tasks: Mapping[str, asyncio.Task[Any]], say: Callable[[str], None]) -> None:
    """Cancels every task and waits until each has ended."""
    while pending := [task for task in tasks.values() if not task.done()]:
        for task in pending:
            task.cancel()
        _, still = await asyncio.wait(pending, timeout=STOP_GRACE_S)
        for name, task in tasks.items():
            if task in still:
                say(f"still stopping: the {name} did not end when asked; asking again")


async def until_stopped(stop: asyncio.Event, tasks: Mapping[str, asyncio.Task[Any]]) -> None:
    """Until a signal asks to stop, or one of ``tasks`` ends."""
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait([waiter, *tasks.values()], return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()


async def run_until_stopped(
    hub: Hub,
    parts: dict[str, asyncio.Task[Any]],
    stop: asyncio.Event,
    say: Callable[[str], None],
    *,
    send_timeout_s: float = DRAIN_TIMEOUT_S,
) -> int:
    """Until a signal asks to stop or a part of the hub ends by itself (an error, which ends
    the whole hub); either way a clean stop: the wearables told, what the broker takes within
    ``send_timeout_s`` sent (and what it did not, said), ``offline`` said."""
    await until_stopped(stop, parts)
    if not parts["hub"].done():
        say("stopping: telling the wearables, sending what is left")
        unsent = await hub.wind_down(send_timeout_s)
        if (words := describe_unsent(unsent, hub.topics.pair)) is not None:
            say(words)
    # Ended before it was asked to: whatever the error, the hub cannot go on without it.
    ended = {name: task for name, task in parts.items() if task.done()}
    await stop_all(parts, say)
    failures = 0
    for name, task in ended.items():
        if task.cancelled():
            continue
        failures += 1
        error = task.exception()
        if error is None:
            say(f"stopped: the {name} ended by itself")
        else:
            say(f"stopped by an error in the {name}: {_describe(error)}")
    return 1 if failures else 0


def _describe(error: BaseException) -> str:
    """One line for ``error``: the first error a task group gathered, rather than the group."""
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return f"{type(error).__name__}: {error}" if str(error) else repr(error)
