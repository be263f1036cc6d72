"""A signal's save waits for the disk in a thread, before the signal leaves: the hub hears and
alerts its partner's stop meanwhile, and nothing it says leaves before it is on disk."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hub import AckMessage, PairSession, SessionSettings, SignalMessage, StateMessage
from hub._alerts import AlertPlayer
from hub.store import DATABASE_NAME, EventStore, SavedState
from signals import ComfortSignal, HapticPattern, InputEvent, InputKind, SignalSource
from tests.helpers import wait_until

STOP_PRESS = InputEvent(InputKind.BUTTON, 0.0, held_s=1.5)


class SlowDisk:
    """The real store behind a disk that stays busy until the test lets it go."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.free = threading.Event()

    def load(self, pair: str, wearer: str) -> SavedState:
        return self.store.load(pair, wearer)

    def save(self, pair: str, wearer: str, *rest: Any) -> None:
        assert self.free.wait(20), "the disk was never let go"
        self.store.save(pair, wearer, *rest)

    def save_ack(self, pair: str, wearer: str, *rest: Any) -> None:
        assert self.free.wait(20), "the disk was never let go"
        self.store.save_ack(pair, wearer, *rest)


async def test_a_partners_stop_is_felt_while_this_hubs_own_signal_waits_for_the_disk(
    tmp_path: Path,
) -> None:
    felt: list[str] = []
    sent: list[tuple[str, str]] = []

    async def sams_wrist(pattern: HapticPattern) -> bool:
        felt.append(pattern.name)
        return True

    class Outbox:
        def publish(self, wearer: str, message: SignalMessage | AckMessage | StateMessage) -> None:
            sent.append((wearer, type(message).__name__))

        def publish_rehearsal(self, wearer: str, message: SignalMessage) -> None:
            raise AssertionError("no rehearsal here")

    store = EventStore(tmp_path / DATABASE_NAME)
    disk = SlowDisk(store)
    try:
        # sam alone on this hub; alex on a hub of their own.
        session = PairSession(
            "p",
            ("alex", "sam"),
            {"sam": AlertPlayer(sams_wrist)},
            Outbox(),
            observer=lambda event: None,
            settings=SessionSettings(realert_interval_s=600),
            store=disk,
        )
        session.device_event("sam", STOP_PRESS)  # sam's stop: its save waits for the disk
        alexs_stop = SignalMessage(
            id="alex-stop",
            seq=0,
            signal=ComfortSignal.STOP,
            source=SignalSource.TAP,
            at=datetime.now(UTC),
        )
        session.on_signal("alex", alexs_stop)
        await wait_until(lambda: felt == ["stop"])
        assert sent == [], "sam's stop left before it was on disk"
        disk.free.set()
        await wait_until(lambda: ("sam", "SignalMessage") in sent)
        assert store.load("p", "sam").level is ComfortSignal.STOP
    finally:
        disk.free.set()
        store.close()
