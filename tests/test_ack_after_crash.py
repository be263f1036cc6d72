"""An acknowledgement kept on disk but never sent (the hub died first) still reaches the
signaller: the restarted hub says it again, and the signaller feels one confirmation. Sent or
not, the acknowledged stop stays acknowledged: the restarted hub tells its wearer the level the
partner still holds, but never waits for (or re-alerts) that stop again."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub import AckMessage, Confirmed, Refused, SessionSettings
from hub.rules import BrokerChanged, HeardAck, PairRules, Publish, Record, SavedLevel
from hub.store import DATABASE_NAME
from tests.brokers import Mosquitto
from tests.cuttable_link import CuttableLink
from tests.helpers import wait_until
from tests.hub_processes import HubProcess
from tests.hubs import mqtt_peer
from tests.pair_setups import own_hub

NO_REALERT = SessionSettings(realert_interval_s=600)
# Past the press gap (0.8 s) after which a lone press is taken as "I noticed".
PRESS_DECIDED_S = 1.5


def test_a_restored_ack_is_said_again_on_connecting_and_known_as_its_own() -> None:
    ids = (f"id-{n}" for n in itertools.count())
    rules = PairRules(("alex", "sam"), ["sam"], hub_id="sam", new_id=ids.__next__)
    ack = AckMessage(id="alex-stop", by="sam", at=datetime.now(UTC))
    nothing_held = SavedLevel(None, None, None, 0)
    rules.restore({"sam": nothing_held}, 0.0, {"sam": ack})

    said = rules.feed(BrokerChanged(True, 1.0))
    assert Publish("sam", ack) in said
    heard_back = rules.feed(HeardAck("sam", ack, 1.1))
    assert not [e for e in heard_back if isinstance(e, Record) and isinstance(e.event, Refused)]


def last_ack_on_disk(data_dir: Path, wearer: str) -> str | None:
    """The ack the hub has committed as ``wearer``'s last one (read as another process would)."""
    path = data_dir / DATABASE_NAME
    if not path.exists():
        return None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT id FROM last_acks WHERE wearer = ?", (wearer,)).fetchone()
    except sqlite3.OperationalError:
        return None  # the table is not made yet
    finally:
        db.close()
    return str(row[0]) if row is not None else None


@pytest.mark.timeout(90)
async def test_an_ack_committed_but_never_sent_before_a_crash_is_sent_after_the_restart(
    mosquitto: Mosquitto, pair_id: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "sam"
    async with (
        # sam's hub reaches the broker through a link the test cuts: whatever it sends after
        # the cut stays in its outbox, so the window between commit and publish stays open.
        CuttableLink(mosquitto.port) as link,
        own_hub(mosquitto.address, pair_id, "alex", settings=NO_REALERT) as (
            alex,
            alex_hub,
            alex_seen,
        ),
        mqtt_peer(mosquitto.address, pair_id) as watcher,
    ):
        sam_hub = await HubProcess.start(pair_id, link.port, data_dir, "sam")
        try:
            alex.press(held_ms=1500)
            await wait_until(lambda: bool(sam_hub.saw(type="alert", wearer="sam", signal="stop")))
            (stop,) = sam_hub.saw(type="alert", wearer="sam", signal="stop")
            await link.cut()
            await sam_hub.send("press sam")  # "I noticed": kept on disk, cannot leave
            await wait_until(lambda: last_ack_on_disk(data_dir, "sam") == stop["id"])
        finally:
            await sam_hub.kill()
        assert watcher.on("sam/ack") == []
        assert alex_seen.of(Confirmed) == []

        await link.heal()
        sam_hub = await HubProcess.start(pair_id, link.port, data_dir, "sam")
        try:
            await wait_until(lambda: [c.delivered for c in alex_seen.of(Confirmed)] == [True])
            (confirmed,) = alex_seen.of(Confirmed)
            assert (confirmed.signal_id, confirmed.by) == (stop["id"], "sam")
            assert watcher.on("sam/ack")[0]["id"] == stop["id"]

            # sam is told once that alex still holds the stop, which no longer waits for sam.
            await wait_until(lambda: bool(sam_hub.saw(type="alert", wearer="sam")))
            assert [a["id"] for a in sam_hub.saw(type="alert", wearer="sam")] == [stop["id"]]
            await a_press_acknowledges_nothing(sam_hub)
            assert len(alex_seen.of(Confirmed)) == 1, "alex felt one ack twice"
            assert alex_hub.relay.refused == 0
        finally:
            await sam_hub.close()


async def a_press_acknowledges_nothing(sam_hub: HubProcess) -> None:
    """sam presses "I noticed" with nothing waiting: no ack is sent."""
    await sam_hub.send("press sam")
    # A heart reading on the same line from the watch, after the press: once it is in, so is
    # the press; an ack is decided a press gap later.
    await sam_hub.send("heart sam 71")
    await wait_until(lambda: bool(sam_hub.saw(type="heart", wearer="sam")))
    await asyncio.sleep(PRESS_DECIDED_S)
    assert sam_hub.saw(type="ack") == [], "sam was asked to acknowledge it again"


@pytest.mark.timeout(90)
async def test_a_stop_acknowledged_before_a_crash_is_not_waited_for_after_the_restart(
    mosquitto: Mosquitto, pair_id: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "sam"
    async with own_hub(mosquitto.address, pair_id, "alex", settings=NO_REALERT) as (
        alex,
        _,
        alex_seen,
    ):
        sam_hub = await HubProcess.start(pair_id, mosquitto.port, data_dir, "sam")
        try:
            alex.press(held_ms=1500)
            await wait_until(lambda: bool(sam_hub.saw(type="alert", wearer="sam", signal="stop")))
            (stop,) = sam_hub.saw(type="alert", wearer="sam", signal="stop")
            await sam_hub.send("press sam")
            await wait_until(lambda: [c.delivered for c in alex_seen.of(Confirmed)] == [True])
        finally:
            await sam_hub.kill()

        sam_hub = await HubProcess.start(pair_id, mosquitto.port, data_dir, "sam")
        try:
            # The broker's retained state still says alex holds that stop: sam is told so once,
            # and it is not waited for (nor re-alerted) again.
            await wait_until(lambda: bool(sam_hub.saw(type="alert", wearer="sam")))
            (again,) = sam_hub.saw(type="alert", wearer="sam")
            assert (again["id"], again["signal"]) == (stop["id"], "stop")
            await a_press_acknowledges_nothing(sam_hub)
            assert len(alex_seen.of(Confirmed)) == 1
        finally:
            await sam_hub.close()
