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
            for too_often in ("0", "0.5"):
                refused = await asyncio.to_thread(
                    main, ["agree", "sam", "--url", link["sam"], "--check-ins", too_often]
                )
                assert refused == 2 and capsys.readouterr().err == (
                    f"comfort-hub agree: --check-ins '{too_often}': expected minutes from 1 to "
                    "240, or off\n"
                )
            assert hub.practice.check_ins.interval_s == 600
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
            assert wrong == 2 and capsys.readouterr().err == (
                "comfort-hub agree: --set intention=...: Input should be '', 'relaxation', "
                "'exploration' or 'intimacy'\n"
            )
        finally:
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)
    gone = await asyncio.to_thread(main, ["agree", "alex", "--url", link["alex"]])
    assert gone == 1 and "cannot reach the hub" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flags", "complaint"),
    [
        (["--check-ins", "0"], "--check-ins '0': expected minutes from 1 to 240, or off"),
        (["--check-ins", "-5"], "--check-ins '-5': expected minutes from 1 to 240, or off"),
        (["--check-ins", "nan"], "--check-ins 'nan': expected minutes from 1 to 240, or off"),
        (["--check-ins", "1e9"], "--check-ins '1e9': expected minutes from 1 to 240, or off"),
        (["--check-ins", "often"], "--check-ins 'often': expected minutes from 1 to 240, or off"),
        (["--set", "safeword=" + "x" * 1001], "--set safeword=...: String should have at most"),
        (["--set", "intention=contract"], "--set intention=...: Input should be ''"),
    ],
)
def test_a_flag_the_hub_would_refuse_is_one_line_naming_the_flag_and_what_it_takes(
    capsys: pytest.CaptureFixture[str], flags: list[str], complaint: str
) -> None:
    # Nothing listens on port 9: the flag is refused before any hub is asked.
    status = main(["agree", "alex", "--hub", "http://127.0.0.1:9", *flags])
    out, err = capsys.readouterr()
    assert status == 2 and not out
    assert len(err.splitlines()) == 1 and err.startswith(f"comfort-hub agree: {complaint}"), err


def test_a_wearer_name_that_cannot_be_one_is_refused_naming_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["agree", "al ex", "--hub", "http://127.0.0.1:9"])
    assert status == 2
    assert capsys.readouterr().err.startswith("comfort-hub agree: wearer 'al ex' must be 1-40")
