"""``comfort-hub agree`` against a running hub's page: the same agreement as the phones."""

from __future__ import annotations

import asyncio

import pytest

from firmware_bridge.sim import SimRadio
from hub import free_loopback_port
from hub.cli import main
from hub.web import page_access, serve
from tests.brokers import Mosquitto
from tests.hubs import running_hub, two_watches


async def test_agree_shows_the_signals_and_check_confirms_and_changes_the_plan(
    mosquitto: Mosquitto, pair_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    radio = SimRadio()
    async with running_hub(mosquitto.address, pair_id, radio, two_watches(radio)) as (hub, seen):
        port = free_loopback_port()
        access = page_access(hub)
        server = asyncio.create_task(
            serve(hub, seen.bus, port=port, say=lambda _: None, access=access)
        )
        # The links the hub prints, one per wearer, carry each wearer's token.
        link = {w: access.link(f"http://127.0.0.1:{port}", w) for w in access.wearers}
        try:
            for _ in range(100):
                if await asyncio.to_thread(main, ["agree", "alex", "--url", link["alex"]]) == 0:
                    break
                await asyncio.sleep(0.05)
            shown = capsys.readouterr().out
            assert "The signals have not been agreed yet" in shown
            assert "two taps: slow down" in shown and "contagious skin condition" in shown
            assert "comfort-hub agree alex --confirm" in shown
            assert "Check-ins: off" in shown

            status = await asyncio.to_thread(
                main,
                ["agree", "alex", "--url", link["alex"], "--confirm", "--set", "safeword=amber"],
            )
            assert status == 0 and "safeword: amber" in capsys.readouterr().out
            assert hub.practice.records.confirmed("alex") is not None
            assert hub.practice.records.plan_changes[-1].by == "alex"

            on = await asyncio.to_thread(
                main, ["agree", "sam", "--url", link["sam"], "--check-ins", "10"]
            )
            assert on == 0 and "every 10 minutes" in capsys.readouterr().out
            assert hub.practice.check_ins.interval_s == 600
            too_often = await asyncio.to_thread(
                main, ["agree", "sam", "--url", link["sam"], "--check-ins", "0.5"]
            )
            assert too_often == 1 and "at least 60 s" in capsys.readouterr().err
            off = await asyncio.to_thread(
                main, ["agree", "sam", "--url", link["sam"], "--check-ins", "off"]
            )
            assert off == 0 and hub.practice.check_ins.interval_s is None
            capsys.readouterr()

            bad = await asyncio.to_thread(
                main, ["agree", "alex", "--url", link["alex"], "--set", "mood"]
            )
            assert bad == 2 and "--set 'mood': expected FIELD=VALUE" in capsys.readouterr().err
            wrong = await asyncio.to_thread(
                main, ["agree", "alex", "--url", link["alex"], "--set", "intention=contract"]
            )
            assert wrong == 1 and "intention" in capsys.readouterr().err
        finally:
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)
    gone = await asyncio.to_thread(main, ["agree", "alex", "--url", link["alex"]])
    assert gone == 1 and "cannot reach the hub" in capsys.readouterr().err
