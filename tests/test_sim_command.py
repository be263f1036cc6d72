"""``comfort-hub sim``: a hand on the simulated wearables of a running ``run --simulated`` hub.

The hub runs as its own process on a real mosquitto; ``comfort-hub sim`` runs as a user
would run it, beside it. What the tests check is what the partners would notice: the page's
status and the hub's own lines (buzzes, confirmations).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from firmware_bridge.sim import SimRadio
from hub import free_loopback_port
from hub.cli import main
from hub.web import page_access, serve
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import running_hub, two_watches
from tests.simulated_hub import answering, sim, simulated_hub


async def test_four_taps_stop_sams_side_and_sams_press_acknowledges(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    async with simulated_hub(tmp_path, mosquitto.address) as hub:
        code, out, err = await sim(hub.url, "tap", "alex", "--count", "4")
        assert code == 0, err
        assert "alex: tap x4" in out
        status = await hub.wait_for(lambda s: s["sam"]["partner_level"] == "stop")
        assert status["sam"]["awaiting_ack"] is not None, "sam's side shows a stop waiting"
        await hub.wait_for_line("sam's wearable buzzes STOP")
        signals = [line for line in hub.lines if "alex signals" in line]
        assert [s.split()[3] for s in signals] == ["SLOW_DOWN", "PAUSE", "STOP"]

        code, _, err = await sim(hub.url, "press", "sam")
        assert code == 0, err
        await hub.wait_for(lambda s: s["sam"]["awaiting_ack"] is None)
        await hub.wait_for_line("alex feels the confirmation: sam noticed")
        status = await hub.status()
        assert status["alex"]["held"] == "stop", "an acknowledgement lifts nothing"


async def test_a_dropped_wearable_pauses_the_partner_until_it_is_restored(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    async with simulated_hub(tmp_path, mosquitto.address) as hub:
        code, _, err = await sim(hub.url, "drop", "alex")
        assert code == 0, err
        status = await hub.wait_for(lambda s: s["sam"]["partner_level"] == "pause")
        assert status["alex"]["connected"] is False
        await hub.wait_for_line("sam's wearable buzzes PAUSE")

        code, _, err = await sim(hub.url, "restore", "alex")
        assert code == 0, err
        # The link comes back at its next reconnection attempt, a few seconds at most.
        status = await hub.wait_for(
            lambda s: s["alex"]["connected"] and s["sam"]["partner_level"] is None, within_s=20
        )
        assert status["alex"]["held"] is None
        await hub.wait_for_line("sam's wearable buzzes RESUME")


async def test_a_hold_is_a_stop(mosquitto: Mosquitto, tmp_path: Path) -> None:
    async with simulated_hub(tmp_path, mosquitto.address) as hub:
        code, _, err = await sim(hub.url, "hold", "sam")
        assert code == 0, err
        await hub.wait_for(lambda s: s["alex"]["partner_level"] == "stop")
        await hub.wait_for_line("sam signals STOP (button")


async def test_what_cannot_be_done_is_refused_in_one_line(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    profiles = {"alex": "bangle", "sam": "heart_rate"}
    async with simulated_hub(tmp_path, mosquitto.address, profiles) as hub:
        code, out, err = await sim(hub.url, "press", "sam")
        assert (code, out) == (1, "")
        assert err.count("\n") == 1
        assert "sam's HRM" in err and "cannot press" in err

        # Only a wearer's own token acts on their wearable: nobody's is bob's.
        code, _, err = await sim(hub.url, "tap", "bob")
        assert code == 1 and err.count("\n") == 1
        assert "may not act for 'bob': its token is alex's" in err

        code, _, err = await sim(hub.url, "hold", "alex", "--count", "3")
        assert code == 2 and "--count is for tap and press" in err

        code, _, err = await sim(hub.url, "tap", "alex", "--count", "50")
        assert code == 1 and err.count("\n") == 1
        assert "the hub refused count: " in err

        status = await hub.status()
        assert status["alex"]["partner_level"] is None, "nothing was signalled"


async def test_no_hub_at_the_address_is_said_plainly() -> None:
    nobody = f"http://127.0.0.1:{free_loopback_port()}"
    code, _, err = await sim(nobody, "tap", "alex")
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith(f"comfort-hub sim: no hub answers at {nobody} ")


async def test_a_hub_on_real_devices_has_no_hand_to_lend(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    port = free_loopback_port()
    async with running_hub(mosquitto.address, pair_id, radio, watches) as (hub, seen):
        # Served as a hub on real devices is: without the twins.
        access = page_access(hub)
        page = asyncio.create_task(
            serve(hub, seen.bus, port=port, say=lambda _: None, access=access)
        )
        try:
            url = f"http://127.0.0.1:{port}"
            await answering(url)
            code, _, err = await sim(url, "tap", "alex", "--token", access.token_for("alex"))
            assert code == 1
            assert f"the hub at {url} has no simulated wearables" in err
            assert watches["alex"].connected
        finally:
            page.cancel()
            await asyncio.gather(page, return_exceptions=True)


async def test_sim_and_agree_both_take_the_hub_as_hub_or_url_with_the_printed_link(
    mosquitto: Mosquitto, pair_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    port = free_loopback_port()
    async with running_hub(mosquitto.address, pair_id, radio, watches) as (hub, seen):
        access = page_access(hub)
        page = asyncio.create_task(
            serve(hub, seen.bus, port=port, say=lambda _: None, access=access, twins=watches)
        )
        base = f"http://127.0.0.1:{port}"
        link = {w: access.link(base, w) for w in access.wearers}
        try:
            await answering(base)
            # The printed link, under either name: its token opens the hub.
            tap = ["sim", "tap", "alex", "--count", "2", "--hub", link["alex"]]
            assert await asyncio.to_thread(main, tap) == 0, capsys.readouterr().err
            assert "alex: tap x2" in capsys.readouterr().out
            await wait_until(lambda: hub.session.partner_level("sam") == "slow_down")
            drop = ["sim", "drop", "alex", "--url", link["alex"]]
            assert await asyncio.to_thread(main, drop) == 0, capsys.readouterr().err
            assert not watches["alex"].in_range
            for name in ("--hub", "--url"):
                shown = await asyncio.to_thread(main, ["agree", "sam", name, link["sam"]])
                assert shown == 0, capsys.readouterr().err
                assert "Your signals (sam):" in capsys.readouterr().out
            # The hub's address and the token apart, as `comfort-hub sim` documented them.
            token = access.token_for("sam")
            agree = ["agree", "sam", "--hub", base, "--token", token, "--confirm"]
            assert await asyncio.to_thread(main, agree) == 0, capsys.readouterr().err
            assert "When you know them" not in capsys.readouterr().out
            bad = await asyncio.to_thread(main, ["agree", "sam", "--url", "ftp://hub"])
            assert bad == 2
            assert "--hub 'ftp://hub' is not an http:// URL" in capsys.readouterr().err
        finally:
            page.cancel()
            await asyncio.gather(page, return_exceptions=True)
