"""`comfort-hub soak --minutes 5`, as CI runs it: nothing lost, no forgery accepted."""

from __future__ import annotations

import asyncio
import sys

import pytest

from hub._soak import SoakReport


@pytest.mark.timeout(240)
async def test_the_five_minute_soak_loses_nothing_and_accepts_no_forgery() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hub", "soak", "--minutes", "5",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    out, _ = await process.communicate()
    report = out.decode()
    print(report)  # the figures, for whoever reads the test log
    assert process.returncode == 0, report
    assert "lost:                0" in report
    assert "forgeries accepted:  0" in report
    for fault in ("broker restart", "wearable drop", "malformed BLE", "MQTT attack"):
        assert fault in report


def test_a_lost_signal_or_an_accepted_forgery_fails_the_soak() -> None:
    assert SoakReport(5, 1, sent=3, delivered=3).ok
    assert not SoakReport(5, 1, sent=3, delivered=2, lost=["x"]).ok
    assert not SoakReport(5, 1, sent=3, delivered=3, forgeries_accepted=1).ok
    assert SoakReport(5, 1, lost=["x"]).lines()[-1] == "FAIL"
