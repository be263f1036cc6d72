"""Two hubs (alex's and sam's), one mosquitto, one pair key: the agreement and the plan reach
the partner's hub, its page and its ``comfort-hub agree``, and a hub that starts late."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub import Hub, PlanChanged, Refused
from hub.cli import main
from hub.practice import PracticeRecords
from hub.store import EventStore
from tests.brokers import Mosquitto
from tests.browser import new_page, screenshot
from tests.helpers import wait_until
from tests.hubs import PAIR, Recorder, mqtt_peer, running_hub, two_watches
from tests.test_page_browser import served


@contextlib.asynccontextmanager
async def hub_of(
    wearer: str,
    watch: SimulatedBangle,
    radio: SimRadio,
    store: EventStore,
    broker: Mosquitto,
    pair_id: str,
) -> AsyncIterator[tuple[Hub, Recorder, str]]:
    """A hub serving ``wearer`` alone, with its own store; yields it and the printed link."""
    records = PracticeRecords(PAIR, store, pair_id=pair_id)
    async with (
        running_hub(
            broker.address, pair_id, radio, {wearer: watch}, store=store, practice_records=records
        ) as (hub, seen),
        served(hub, seen.bus) as links,
    ):
        yield hub, seen, links[wearer]


async def agree(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status = await asyncio.to_thread(main, ["agree", *args])
    said = capsys.readouterr()
    assert status == 0, said.err
    return said.out


async def test_the_agreement_and_the_plan_reach_the_partners_hub_and_page(
    mosquitto: Mosquitto,
    pair_id: str,
    browser: Browser,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    stores = {name: EventStore.open(tmp_path / name) for name in (*PAIR, "late")}
    try:
        async with (
            hub_of("alex", watches["alex"], radio, stores["alex"], mosquitto, pair_id) as (
                hub_a,
                seen_a,
                link_a,
            ),
            hub_of("sam", watches["sam"], radio, stores["sam"], mosquitto, pair_id) as (
                hub_b,
                _,
                link_b,
            ),
        ):
            await agree(capsys, "alex", "--hub", link_a, "--confirm")
            await agree(capsys, "sam", "--hub", link_b, "--confirm")
            await agree(capsys, "alex", "--hub", link_a, "--set", "safeword=amber")
            records_a, records_b = hub_a.practice.records, hub_b.practice.records
            await wait_until(lambda: records_a.both_confirmed() and records_b.both_confirmed())
            await wait_until(lambda: hub_b.practice.records.plan.safeword == "amber")

            alex_sees = await agree(capsys, "alex", "--hub", link_a)
            assert "You have both agreed your signals." in alex_sees
            assert "sam's signals:\n  two taps: slow down" in alex_sees
            sam_sees = await agree(capsys, "sam", "--hub", link_b)
            assert "You have both agreed your signals." in sam_sees
            assert "safeword: amber" in sam_sees
            assert hub_b.practice.records.plan_changes[-1].by == "alex"

            context, sam = await new_page(browser)
            async with context:
                await sam.goto(link_b)
                await sam.goto(link_b.split("wearers/")[0] + "practice/sam/agreement")
                await expect(sam.locator("#agreement-status")).to_contain_text("both agreed")
                await expect(sam.locator("#safeword")).to_have_value("amber")
                await expect(sam.locator("#plan-notice")).to_contain_text(
                    'alex changed the plan: safeword: "amber"'
                )
                await expect(sam.locator("#partner-gestures")).to_contain_text(
                    "two taps: slow down"
                )
                await screenshot(sam, "practice-agreement-two-hubs-phone")

                # And back: sam's change on sam's page reaches alex's hub at once.
                await sam.locator("#music_and_lighting").fill("rain sounds, one warm lamp")
                await sam.get_by_role("button", name="Save the plan").click()
                await wait_until(
                    lambda: records_a.plan.music_and_lighting == "rain sounds, one warm lamp"
                )
                assert records_a.plan.safeword == "amber"
                assert [c.by for c in seen_a.of(PlanChanged)] == ["alex", "sam"]

        # A hub that starts late, with nothing stored, learns both from the retained copies.
        late = PracticeRecords(PAIR, stores["late"], pair_id=pair_id)
        async with running_hub(
            mosquitto.address,
            pair_id,
            radio,
            {"sam": watches["sam"]},
            store=stores["late"],
            practice_records=late,
        ):
            await wait_until(lambda: late.confirmed("alex") is not None)
            await wait_until(lambda: late.plan.safeword == "amber")
    finally:
        for store in stores.values():
            store.close()


async def test_an_agreement_not_sealed_or_said_for_another_wearer_is_not_taken(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    async with (
        running_hub(mosquitto.address, pair_id, radio, {"sam": watches["sam"]}) as (
            hub,
            recorder,
        ),
        mqtt_peer(mosquitto.address, pair_id) as peer,
    ):
        forged = (
            b'{"by":"alex","confirmed_at":"2026-11-25T08:00:00+00:00","at":"2026-11-25T08:00:00Z"}'
        )
        await peer.publish_raw("alex/agreement", forged)
        await wait_until(lambda: hub.relay.refused == 1)
        # The page and log name whose topic the forgery was on.
        assert [r.wearer for r in recorder.of(Refused)] == ["alex"]
        # Sealed, but speaking for sam on alex's topic: not alex's side.
        await peer.publish(
            "alex/agreement",
            {
                "by": "sam",
                "confirmed_at": "2026-11-25T08:00:00+00:00",
                "at": "2026-11-25T08:00:00Z",
            },
        )
        # Then alex's own side says it: taken.
        await peer.publish(
            "alex/agreement",
            {
                "by": "alex",
                "confirmed_at": "2026-11-25T08:00:01+00:00",
                "plan_changes": [{"at": "2026-11-25T08:00:01+00:00", "changes": {"mood": "x"}}],
                "at": "2026-11-25T08:00:01Z",
            },
        )
        await peer.publish(
            "alex/agreement",
            {
                "by": "alex",
                "confirmed_at": "2026-11-25T08:00:02+00:00",
                "at": "2026-11-25T08:00:02Z",
            },
        )
        records = hub.practice.records
        await wait_until(lambda: records.confirmed("alex") is not None)
        assert records.confirmed("alex").isoformat() == "2026-11-25T08:00:02+00:00"  # type: ignore[union-attr]
        assert records.plan_changes == [], "a plan field the page does not have is refused"
