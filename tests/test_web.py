"""The hub's page API, served by the real app against a running hub."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import wave
from collections.abc import AsyncIterator

import httpx
import numpy as np
import websockets

from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub import BrokerAddress, Confirmed, Hub, free_loopback_port
from hub.web import PageAccess, create_app, page_access, serve
from signals import SAMPLE_RATE_HZ, ComfortSignal, synthesise, tone_for
from tests.helpers import wait_until
from tests.hubs import Recorder, running_hub, two_watches


@contextlib.asynccontextmanager
async def page(
    broker: BrokerAddress, pair_id: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Hub, Recorder, dict[str, SimulatedBangle]]]:
    radio = SimRadio()
    watches = two_watches(radio)
    async with running_hub(broker, pair_id, radio, watches) as (hub, seen):
        access = page_access(hub)
        transport = httpx.ASGITransport(app=create_app(hub, seen.bus, access))
        # One browser holding both wearers' links (one hub in the room, both pages open).
        cookies = {f"comfort_{w}": access.token_for(w) for w in access.wearers}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1:8080", cookies=cookies
        ) as web:
            yield web, hub, seen, watches


async def test_the_page_acknowledges_for_its_wearer_and_the_signaller_feels_it(
    broker: BrokerAddress, pair_id: str
) -> None:
    async with page(broker, pair_id) as (web, hub, seen, watches):
        front = await web.get("/wearers/sam")
        assert front.status_code == 200 and "I noticed" in front.text

        nothing = await web.post("/api/wearers/sam/ack")
        assert nothing.status_code == 409
        assert "no signal waiting" in nothing.json()["detail"]

        watches["alex"].press(held_ms=1500)  # a long press: stop
        await wait_until(lambda: hub.session.awaiting_ack("sam") is not None)
        status = (await web.get("/api/status")).json()
        by_name = {w["name"]: w for w in status["wearers"]}
        assert by_name["alex"]["held"] == "stop"
        assert by_name["sam"]["awaiting_ack"] is not None
        assert by_name["sam"]["partner_level"] == "stop"
        assert status["broker_connected"] is True

        ack = await web.post("/api/wearers/sam/ack")
        assert ack.status_code == 200 and ack.json()["by"] == "sam"
        await wait_until(lambda: bool(seen.of(Confirmed)))
        await wait_until(lambda: len(watches["alex"].buzzes) == 1)

        # No page is "nobody's: no token can act for a wearer this hub does not serve.
        assert (await web.post("/api/wearers/nobody/ack")).status_code == 403


async def test_only_the_signaller_resumes_from_the_page_and_tones_are_served(
    broker: BrokerAddress, pair_id: str
) -> None:
    async with page(broker, pair_id) as (web, hub, _, watches):
        watches["alex"].press(held_ms=1500)
        await wait_until(lambda: hub.session.held("alex") is not None)

        refused = await web.post("/api/wearers/sam/resume")
        assert refused.status_code == 409
        assert "only the signaller can resume" in refused.json()["detail"]
        assert hub.session.held("alex") == "stop"

        lifted = await web.post("/api/wearers/alex/resume")
        assert lifted.status_code == 200 and lifted.json()["signal"] == "resume"
        assert hub.session.held("alex") is None

        wav = await web.get("/api/tones/stop.wav")
        assert wav.headers["content-type"] == "audio/wav"
        with wave.open(io.BytesIO(wav.content)) as audio:
            frames = np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2")
            assert audio.getframerate() == SAMPLE_RATE_HZ
        assert np.array_equal(frames, synthesise(tone_for(ComfortSignal.STOP)))
        assert (await web.get("/api/tones/louder.wav")).status_code == 404


async def test_the_live_feed_pushes_the_partners_signal_to_the_page(
    broker: BrokerAddress, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    async with running_hub(broker, pair_id, radio, watches) as (hub, seen):
        port = free_loopback_port()
        access: PageAccess = page_access(hub)
        server = asyncio.create_task(
            serve(hub, seen.bus, port=port, say=lambda _: None, access=access)
        )
        try:
            async with asyncio.timeout(10):
                while True:
                    try:
                        socket = await websockets.connect(
                            f"ws://127.0.0.1:{port}/ws/feed",
                            additional_headers={"Cookie": f"comfort_sam={access.token_for('sam')}"},
                        )
                        break
                    except OSError:
                        await asyncio.sleep(0.05)
            async with socket:
                watches["alex"].press(held_ms=1500)
                async with asyncio.timeout(5):
                    while True:
                        event = json.loads(await socket.recv())
                        if event["type"] == "alert":
                            break
            assert (event["wearer"], event["from"], event["signal"]) == ("sam", "alex", "stop")
        finally:
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)
