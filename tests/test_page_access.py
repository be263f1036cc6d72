"""Nobody but the pair uses the page: a token per wearer, a known Host, a same-site Origin."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator, Iterable

import httpx
import pytest
import websockets
from fastapi.routing import APIWebSocketRoute
from starlette.routing import BaseRoute

from firmware_bridge.sim import SimRadio
from hub import BrokerAddress, EventBus, Hub, free_loopback_port
from hub.web import PageAccess, WebPortBusy, create_app, page_access, serve
from signals import ComfortSignal
from tests.helpers import wait_until
from tests.hubs import running_hub, two_watches
from tests.test_practice_privacy import AS_SAM, route_paths

BASE = "http://127.0.0.1:8080"


@contextlib.asynccontextmanager
async def guarded(
    broker: BrokerAddress, pair_id: str
) -> AsyncIterator[tuple[Hub, PageAccess, httpx.AsyncClient]]:
    radio = SimRadio()
    watches = two_watches(radio)
    async with running_hub(broker, pair_id, radio, watches) as (hub, seen):
        access = page_access(hub)
        transport = httpx.ASGITransport(app=create_app(hub, seen.bus, access))
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as web:
            watches["alex"].press(held_ms=1500)  # alex holds a stop
            await wait_until(lambda: hub.session.awaiting_ack("sam") is not None)
            yield hub, access, web


def as_wearer(access: PageAccess, wearer: str) -> dict[str, str]:
    return {"Cookie": f"comfort_{wearer}={access.token_for(wearer)}"}


async def test_no_token_is_401_and_a_wrong_one_too(broker: BrokerAddress, pair_id: str) -> None:
    async with guarded(broker, pair_id) as (hub, _, web):
        for path in ("/", "/wearers/sam", "/api/status", "/api/tones/stop.wav"):
            assert (await web.get(path)).status_code == 401, path
        assert (await web.post("/api/wearers/alex/resume")).status_code == 401
        forged = {"Cookie": "comfort_alex=guess"}
        assert (await web.post("/api/wearers/alex/resume", headers=forged)).status_code == 401
        assert hub.session.held("alex") is ComfortSignal.STOP


async def test_the_printed_link_sets_a_cookie_and_opens_that_wearers_page(
    broker: BrokerAddress, pair_id: str
) -> None:
    async with guarded(broker, pair_id) as (_, access, web):
        link = access.link(BASE, "sam")
        opened = await web.get(link)
        assert opened.status_code == 303
        assert opened.headers["location"] == "/wearers/sam", "the token leaves the address bar"
        assert "HttpOnly" in opened.headers["set-cookie"]
        assert "SameSite=Strict" in opened.headers["set-cookie"]
        page = await web.get("/wearers/sam")
        assert page.status_code == 200 and "I noticed" in page.text
        assert (await web.get("/")).headers["location"] == "/wearers/sam"


async def test_a_foreign_origin_cannot_change_anything(broker: BrokerAddress, pair_id: str) -> None:
    async with guarded(broker, pair_id) as (hub, access, web):
        headers = as_wearer(access, "alex") | {"Origin": "http://evil.example"}
        refused = await web.post("/api/wearers/alex/resume", headers=headers)
        assert refused.status_code == 403 and "Origin" in refused.text
        assert hub.session.held("alex") is ComfortSignal.STOP
        same_site = as_wearer(access, "alex") | {"Origin": BASE}
        lifted = await web.post("/api/wearers/alex/resume", headers=same_site)
        assert lifted.status_code == 200
        assert hub.session.held("alex") is None


async def test_a_foreign_host_is_refused_against_dns_rebinding(
    broker: BrokerAddress, pair_id: str
) -> None:
    async with guarded(broker, pair_id) as (_, access, web):
        headers = as_wearer(access, "sam") | {"Host": "rebind.attacker.example"}
        refused = await web.get("/api/status", headers=headers)
        assert refused.status_code == 400 and "Host" in refused.text
        assert (await web.get("/api/status", headers=as_wearer(access, "sam"))).status_code == 200


async def test_sams_page_cannot_resume_alex_but_can_acknowledge_alexs_stop(
    broker: BrokerAddress, pair_id: str
) -> None:
    async with guarded(broker, pair_id) as (hub, access, web):
        sam = as_wearer(access, "sam")
        refused = await web.post("/api/wearers/alex/resume", headers=sam)
        assert refused.status_code == 403
        assert hub.session.held("alex") is ComfortSignal.STOP
        assert (await web.post("/api/wearers/alex/ack", headers=sam)).status_code == 403
        acked = await web.post("/api/wearers/sam/ack", headers=sam)
        assert acked.status_code == 200 and acked.json()["by"] == "sam"


def websocket_paths(routes: Iterable[BaseRoute]) -> set[str]:
    """The WebSocket routes among ``routes``, in the routers the app includes too."""
    paths: set[str] = set()
    for route in routes:
        if isinstance(route, APIWebSocketRoute):
            paths.add(route.path)
        elif (included := getattr(route, "original_router", None)) is not None:
            paths |= websocket_paths(included.routes)
    return paths


# Path parameters that name something other than a wearer.
NOT_A_WEARER = frozenset({"signal", "name", "page", "session_id", "image_format", "action"})
PATH_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")

# The simulated hand's routes (a hub on simulated wearables), with how sam's side asks them.
SIM_ROUTES: dict[str, tuple[str, str, object]] = {
    "/api/sim": ("GET", "/api/sim", None),
    "/api/sim/{wearer}/{action}": ("POST", "/api/sim/sam/drop", None),
}


async def test_every_route_refuses_no_token_a_foreign_host_and_a_foreign_origin(
    broker: BrokerAddress, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    async with running_hub(broker, pair_id, radio, watches) as (hub, seen):
        access = page_access(hub)
        app = create_app(hub, seen.bus, access, twins=watches)
        requests = AS_SAM | SIM_ROUTES
        sockets = websocket_paths(app.routes)
        assert route_paths(app.routes) - sockets == set(requests), "say how to ask a new route"
        sam = as_wearer(access, "sam")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as web:
            for route, (method, path, body) in requests.items():
                refused = await web.request(method, path, json=body)
                assert refused.status_code == 401, route
                foreign = sam | {"Host": "rebind.attacker.example"}
                refused = await web.request(method, path, json=body, headers=foreign)
                assert refused.status_code == 400, route
                if method not in ("GET", "HEAD"):
                    evil = sam | {"Origin": "http://evil.example"}
                    refused = await web.request(method, path, json=body, headers=evil)
                    assert refused.status_code == 403, route
                names = set(PATH_PARAMETER.findall(route))
                assert names <= NOT_A_WEARER | {"wearer"}, (
                    f"{route}: call a parameter naming a wearer {{wearer}} (the guard holds "
                    "it to the token's wearer), or add it to NOT_A_WEARER"
                )
                if "wearer" in names:
                    # Acting for alex with sam's token, the simulated hand included.
                    alexs = path.replace("/sam", "/alex", 1)
                    refused = await web.request(method, alexs, json=body, headers=sam)
                    assert refused.status_code == 403, route
                    assert "may not act for 'alex'" in refused.text, route
        assert watches["sam"].in_range, "no refused request reached the simulated hand"
        assert watches["alex"].in_range, "sam's token did not reach alex's twin"
        assert hub.practice.records.confirmed("alex") is None, "nor act for alex elsewhere"


async def test_sams_token_cannot_lift_alexs_stop_through_the_simulated_hand(
    broker: BrokerAddress, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    async with running_hub(broker, pair_id, radio, watches) as (hub, seen):
        access = page_access(hub)
        transport = httpx.ASGITransport(app=create_app(hub, seen.bus, access, twins=watches))
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as web:
            watches["alex"].press(held_ms=1500)  # `sim hold alex`: alex's stop
            await wait_until(lambda: hub.session.held("alex") is ComfortSignal.STOP)
            sam = {"Authorization": f"Bearer {access.token_for('sam')}"}
            refused = await web.post("/api/sim/alex/press?count=2", headers=sam)
            assert refused.status_code == 403
            assert "may not act for 'alex': its token is sam's" in refused.text
            assert hub.session.held("alex") is ComfortSignal.STOP
            assert (await web.post("/api/sim/sam/tap", headers=sam)).status_code == 200
            # alex's own token lifts it, as alex's two presses would.
            alex = {"Authorization": f"Bearer {access.token_for('alex')}"}
            lifted = await web.post("/api/sim/alex/press?count=2", headers=alex)
            assert lifted.status_code == 200
            await wait_until(lambda: hub.session.held("alex") is None)


async def test_every_websocket_refuses_no_token_and_a_foreign_origin(
    broker: BrokerAddress, pair_id: str
) -> None:
    radio = SimRadio()
    async with running_hub(broker, pair_id, radio, two_watches(radio)) as (hub, seen):
        port = free_loopback_port()
        access = page_access(hub)
        sockets = sorted(websocket_paths(create_app(hub, seen.bus, access).routes))
        assert sockets == ["/ws/feed"], "the page's one live feed"
        server = asyncio.create_task(
            serve(hub, seen.bus, port=port, say=lambda _: None, access=access)
        )
        token = as_wearer(access, "sam")
        try:
            for path in sockets:
                url = f"ws://127.0.0.1:{port}{path}"
                async with asyncio.timeout(10):
                    while True:
                        try:
                            socket_ = await websockets.connect(url, additional_headers=token)
                            break
                        except OSError:
                            await asyncio.sleep(0.05)
                await socket_.close()
                for headers in ({}, token | {"Origin": "http://evil.example"}):
                    with pytest.raises(websockets.InvalidStatus):
                        await websockets.connect(url, additional_headers=headers)
        finally:
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)


async def test_a_busy_port_is_an_error_naming_it_and_port_0_picks_a_free_one(
    broker: BrokerAddress, pair_id: str
) -> None:
    radio = SimRadio()
    async with running_hub(broker, pair_id, radio, two_watches(radio)) as (hub, _):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            busy = taken.getsockname()[1]
            with pytest.raises(WebPortBusy, match=f"web port {busy} "):
                await serve(hub, EventBus(), port=busy, say=lambda _: None)

        said: list[str] = []
        server = asyncio.create_task(serve(hub, EventBus(), port=0, say=said.append))
        try:
            await wait_until(lambda: len(said) == 2)
            links = [re.search(r"http://\S+", line) for line in said]
            assert all(m and "/wearers/" in m.group() and "token=" in m.group() for m in links)
            assert ":0/" not in said[0]
        finally:
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)
