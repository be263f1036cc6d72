"""Aftercare and private feedback: a private answer is never returned to the partner, by any
route of the hub's app, the session timeline and its exports, or the live feed (the test
fails if a route is added without being checked here)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import httpx
import websockets
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import BaseRoute

from firmware_bridge.sim import SimRadio
from hub import AftercareStarted, FeedbackGiven, free_loopback_port
from hub.practice import AFTERCARE_PULSE
from hub.store import EventStore, SessionRecorder
from hub.web import create_app, page_access, serve
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import Recorder, running_hub, times_played, two_watches

SECRET = "the private thing alex wrote"
SHARED = "the candle sam liked"

# Every route the app has, with how sam's side asks it (method, path, body).
AS_SAM: dict[str, tuple[str, str, object]] = {
    "/": ("GET", "/", None),
    "/wearers/{wearer}": ("GET", "/wearers/sam", None),
    "/api/status": ("GET", "/api/status", None),
    "/api/wearers/{wearer}/ack": ("POST", "/api/wearers/sam/ack", None),
    "/api/wearers/{wearer}/resume": ("POST", "/api/wearers/sam/resume", None),
    "/api/tones/{signal}.wav": ("GET", "/api/tones/stop.wav", None),
    "/practice/{wearer}/{page}": ("GET", "/practice/sam/aftercare", None),
    "/practice-assets/{name}": ("GET", "/practice-assets/practice.js", None),
    "/api/practice/{wearer}": ("GET", "/api/practice/sam", None),
    "/api/practice/{wearer}/confirm": ("POST", "/api/practice/sam/confirm", None),
    "/api/practice/{wearer}/plan": ("PATCH", "/api/practice/sam/plan", {"clothing": "soft"}),
    "/api/practice/{wearer}/rehearsal/start": ("POST", "/api/practice/sam/rehearsal/start", None),
    "/api/practice/{wearer}/rehearsal/end": ("POST", "/api/practice/sam/rehearsal/end", None),
    "/api/practice/{wearer}/rehearsal/felt": ("POST", "/api/practice/sam/rehearsal/felt", None),
    "/api/practice/{wearer}/tap-calibration/reset": (
        "POST",
        "/api/practice/sam/tap-calibration/reset",
        None,
    ),
    "/api/practice/{wearer}/check-ins": ("PUT", "/api/practice/sam/check-ins", {}),
    "/api/practice/{wearer}/check-ins/now": ("POST", "/api/practice/sam/check-ins/now", None),
    "/api/practice/{wearer}/check-ins/answer": (
        "POST",
        "/api/practice/sam/check-ins/answer",
        None,
    ),
    "/api/practice/{wearer}/session/end": ("POST", "/api/practice/sam/session/end", None),
    "/api/practice/{wearer}/feedback": (
        "POST",
        "/api/practice/sam/feedback",
        {"felt_good": SHARED, "to_change": "", "comfort": 5, "share": True},
    ),
    "/static/{name:path}": ("GET", "/static/timeline.js", None),
    "/sessions/{session_id}": ("GET", "/sessions/latest", None),
    "/api/sessions": ("GET", "/api/sessions", None),
    "/api/sessions/{session_id}/timeline": ("GET", "/api/sessions/latest/timeline", None),
    "/api/sessions/{session_id}/export.{image_format}": (
        "GET",
        "/api/sessions/latest/export.json",
        None,
    ),
    # The open session cannot be erased: this asks, and must not answer with its contents.
    "/api/sessions/{session_id}": ("DELETE", "/api/sessions/latest", None),
    "/api/sessions/end": ("POST", "/api/sessions/end", None),
    "/api/sessions/start": ("POST", "/api/sessions/start", None),
    "/openapi.json": ("GET", "/openapi.json", None),
    "/api/docs": ("GET", "/api/docs", None),
    "/docs/oauth2-redirect": ("GET", "/docs/oauth2-redirect", None),
}
# The other exports of the same route; the picture's bytes are searched as well as the text.
OTHER_EXPORTS = [("GET", f"/api/sessions/latest/export.{f}", None) for f in ("png", "svg", "csv")]
OTHER_EXPORTS.append(("GET", "/api/sessions/latest/export.html", None))
FEEDS = {"/ws/feed"}


def route_paths(routes: Iterable[BaseRoute]) -> set[str]:
    """Every path the app answers, routers it includes too; an unknown kind fails loudly."""
    paths: set[str] = set()
    for route in routes:
        if isinstance(route, APIRoute | APIWebSocketRoute):
            paths.add(route.path)
        elif (included := getattr(route, "original_router", None)) is not None:
            # FastAPI keeps an included router whole; its routes are the app's too.
            prefix = getattr(getattr(route, "include_context", None), "prefix", "")
            assert not prefix, "an included router with a prefix: teach route_paths to add it"
            paths |= route_paths(included.routes)
        elif route.__class__.__name__ != "Route":  # FastAPI's own /openapi.json and docs
            raise AssertionError(f"a route of a kind this test cannot read: {route!r}")
        else:
            paths.add(str(getattr(route, "path", "")))
    return paths


@contextlib.asynccontextmanager
async def live_feed(
    port: int, headers: dict[str, str], path: str = "/ws/feed"
) -> AsyncIterator[list[str]]:
    """Everything the live feed pushes while the block runs, as raw text."""
    async with asyncio.timeout(10):
        while True:
            try:
                socket = await websockets.connect(
                    f"ws://127.0.0.1:{port}{path}", additional_headers=headers
                )
                break
            except OSError:
                await asyncio.sleep(0.05)
    pushed: list[str] = []

    async def read() -> None:
        async for message in socket:
            pushed.append(str(message))

    reader = asyncio.create_task(read())
    try:
        yield pushed
    finally:
        await socket.close()
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)


async def test_private_feedback_is_never_returned_to_the_partner_by_any_route(
    mosquitto: Mosquitto, pair_id: str, data_dir: Path
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    seen = Recorder()
    store = EventStore.open(data_dir)
    sessions = SessionRecorder(store, pair_id, ("alex", "sam"))
    seen.bus.subscribe(sessions)
    recorded = sessions.start().id
    async with running_hub(mosquitto.address, pair_id, radio, watches, recorder=seen) as (hub, _):
        routes = route_paths(create_app(hub, seen.bus, recorder=sessions).routes)
        assert routes >= FEEDS, "the feeds this test reads are still there"
        assert routes - FEEDS <= set(AS_SAM), "a new route: say how sam's side asks it"
        assert set(AS_SAM) <= routes, "a route this test asks is gone: take it out"
        port = free_loopback_port()
        access = page_access(hub)
        server = asyncio.create_task(
            serve(hub, seen.bus, port=port, say=lambda _: None, access=access, recorder=sessions)
        )
        base = f"http://127.0.0.1:{port}"
        as_alex = {"comfort_alex": access.token_for("alex")}
        as_sam = {"comfort_sam": access.token_for("sam")}
        sams_cookie = {"Cookie": f"comfort_sam={as_sam['comfort_sam']}"}
        try:
            async with (
                live_feed(port, sams_cookie) as sams_session_feed,
                httpx.AsyncClient(base_url=base, cookies=as_alex) as web,
                httpx.AsyncClient(base_url=base, cookies=as_sam) as sams_web,
            ):
                ended = await web.post("/api/practice/alex/session/end")
                assert ended.status_code == 200
                for watch in watches.values():
                    await wait_until(lambda w=watch: times_played(w, AFTERCARE_PULSE) == 1)  # type: ignore[misc]
                assert seen.of(AftercareStarted)[0].by == "alex"

                private = {"felt_good": SECRET, "to_change": SECRET, "comfort": 2, "share": False}
                mine = await web.post("/api/practice/alex/feedback", json=private)
                assert mine.json()["own"]["felt_good"] == SECRET  # alex sees their own
                await wait_until(lambda: len(seen.of(FeedbackGiven)) == 1)

                answers = []
                for method, path, body in [*OTHER_EXPORTS, *AS_SAM.values()]:
                    response = await sams_web.request(method, path, json=body)
                    assert response.status_code < 500, (path, response.text)
                    answers.append((path, response.content))
                await wait_until(lambda: len(seen.of(FeedbackGiven)) == 2)
                await wait_until(lambda: any(SHARED in text for text in sams_session_feed))
                # The recorded session, asked for by id once sam's shared answer is in it.
                for export in ("timeline", "export.json", "export.csv", "export.html"):
                    path = f"/api/sessions/{recorded}/{export}"
                    kept = await sams_web.get(path)
                    assert kept.status_code == 200 and SHARED.encode() in kept.content, path
                    answers.append((path, kept.content))
            feeds = [("/ws/feed", text) for text in sams_session_feed]
            for path, content in answers + [(p, t.encode()) for p, t in feeds]:
                assert SECRET.encode() not in content, f"{path} returned alex's private answer"
            assert seen.of(FeedbackGiven)[0].shared is None

            async with (
                httpx.AsyncClient(base_url=base, cookies=as_alex) as web,
                httpx.AsyncClient(base_url=base, cookies=as_sam) as sams_web,
            ):
                alex = (await web.get("/api/practice/alex")).json()["feedback"]
                sam = (await sams_web.get("/api/practice/sam")).json()["feedback"]
            assert alex["partner"]["felt_good"] == SHARED  # sam chose to share
            assert sam["partner"] is None and sam["own"]["felt_good"] == SHARED
            assert json.dumps(sam).count(SECRET) == 0
        finally:
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)
            store.close()
