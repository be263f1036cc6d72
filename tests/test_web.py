"""The hub's page API, served by the real app against a running hub."""

from __future__ import annotations

import asyncio
import io
import wave

import httpx
import numpy as np

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub._broker import BrokerAddress
from hub._bus import EventBus
from hub._events import Confirmed
from hub._hub import Hub, WearerDevice
from hub.web import create_app
from signals import SAMPLE_RATE_HZ, ComfortSignal, synthesise, tone_for
from tests.helpers import wait_until


async def test_the_page_acknowledges_for_its_wearer_and_the_signaller_feels_it(
    broker: BrokerAddress, pair_id: str
) -> None:
    radio = SimRadio()
    alex = radio.add(SimulatedBangle("C0:00:00:00:0C:01"))
    sam = radio.add(SimulatedBangle("C0:00:00:00:0C:02"))
    bus = EventBus()
    events: list[object] = []
    bus.subscribe(events.append)
    hub = Hub(
        pair_id,
        ("alex", "sam"),
        [
            WearerDevice("alex", alex.address, BangleDriver()),
            WearerDevice("sam", sam.address, BangleDriver()),
        ],
        broker,
        observer=bus.publish,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
    )
    task = asyncio.create_task(hub.run())
    transport = httpx.ASGITransport(app=create_app(hub, bus))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as web:
            await asyncio.wait_for(hub.ready(), 10)
            page = await web.get("/")
            assert page.status_code == 200 and "I noticed" in page.text

            nothing = await web.post("/api/wearers/sam/ack")
            assert nothing.status_code == 409
            assert "no signal waiting" in nothing.json()["detail"]

            alex.press(held_ms=1500)  # a long press: stop
            await wait_until(lambda: hub.session.awaiting_ack("sam") is not None)
            status = (await web.get("/api/status")).json()
            by_name = {w["name"]: w for w in status["wearers"]}
            assert by_name["alex"]["held"] == "stop"
            assert by_name["sam"]["awaiting_ack"] is not None
            assert status["broker_connected"] is True

            ack = await web.post("/api/wearers/sam/ack")
            assert ack.status_code == 200 and ack.json()["by"] == "sam"
            await wait_until(lambda: any(isinstance(e, Confirmed) for e in events))
            await wait_until(lambda: len(alex.buzzes) == 1)

            assert (await web.post("/api/wearers/nobody/ack")).status_code == 404
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_only_the_signaller_resumes_from_the_page_and_tones_are_served(
    broker: BrokerAddress, pair_id: str
) -> None:
    radio = SimRadio()
    alex = radio.add(SimulatedBangle("C0:00:00:00:0D:01"))
    sam = radio.add(SimulatedBangle("C0:00:00:00:0D:02"))
    bus = EventBus()
    hub = Hub(
        pair_id,
        ("alex", "sam"),
        [
            WearerDevice("alex", alex.address, BangleDriver()),
            WearerDevice("sam", sam.address, BangleDriver()),
        ],
        broker,
        observer=bus.publish,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
    )
    task = asyncio.create_task(hub.run())
    transport = httpx.ASGITransport(app=create_app(hub, bus))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as web:
            await asyncio.wait_for(hub.ready(), 10)
            alex.press(held_ms=1500)
            await wait_until(lambda: hub.session.held("alex") is not None)
            status = (await web.get("/api/status")).json()
            sam_side = next(w for w in status["wearers"] if w["name"] == "sam")
            assert sam_side["partner_level"] == "stop"

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
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
