"""One wearer's token never acts for the other, by any route of the hub's app.

Every route whose path names a wearer is asked as sam for alex, the simulated hand of a
``--simulated`` hub included; a new route with a path parameter must say here how it is
asked (or that its parameter names no wearer), so it cannot slip past unasked.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterable

import httpx
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import BaseRoute

from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub import BrokerAddress, EventBus, Hub
from hub.web import PageAccess, create_app, page_access
from signals import ComfortSignal
from tests.helpers import wait_until
from tests.hubs import running_hub, two_watches
from tests.test_practice_privacy import AS_SAM

BASE = "http://127.0.0.1:8080"
# Path parameters that name something other than a wearer.
NOT_A_WEARER = frozenset({"signal", "name", "page", "session_id", "image_format", "action"})
# How sam's side asks the simulated hand's routes (a hub run with --simulated).
SIM_ROUTES: dict[str, tuple[str, str, object]] = {
    "/api/sim": ("GET", "/api/sim", None),
    "/api/sim/{wearer}/{action}": ("POST", "/api/sim/sam/press?count=2", None),
}
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def routes_of(routes: Iterable[BaseRoute]) -> list[BaseRoute]:
    """Every route of the app, those of the routers it includes too."""
    found: list[BaseRoute] = []
    for route in routes:
        if (included := getattr(route, "original_router", None)) is not None:
            found += routes_of(included.routes)
        else:
            found.append(route)
    return found


@contextlib.asynccontextmanager
async def simulated_hub_page(
    broker: BrokerAddress, pair_id: str
) -> AsyncIterator[tuple[Hub, dict[str, SimulatedBangle], PageAccess, httpx.AsyncClient]]:
    """One hub on simulated wearables serving alex and sam, its page with the simulated hand;
    alex holds a stop."""
    radio = SimRadio()
    watches = two_watches(radio)
    async with running_hub(broker, pair_id, radio, watches) as (hub, seen):
        access = page_access(hub)
        app = create_app(hub, seen.bus, access, twins=watches)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as web:
            watches["alex"].press(held_ms=1500)
            await wait_until(lambda: hub.session.held("alex") is ComfortSignal.STOP)
            yield hub, watches, access, web


async def test_sams_token_cannot_lift_alexs_stop_through_the_simulated_hand(
    broker: BrokerAddress, pair_id: str
) -> None:
    async with simulated_hub_page(broker, pair_id) as (hub, watches, access, web):
        sam = {"Authorization": f"Bearer {access.token_for('sam')}"}
        refused = await web.post("/api/sim/alex/press?count=2", headers=sam)
        assert refused.status_code == 403
        assert "may not act for 'alex'" in refused.text
        assert hub.session.held("alex") is ComfortSignal.STOP
        for action in ("tap", "hold", "drop", "restore"):
            refused = await web.post(f"/api/sim/alex/{action}", headers=sam)
            assert refused.status_code == 403, action
        assert watches["alex"].in_range
        # sam's own twin is sam's to use.
        assert (await web.post("/api/sim/sam/tap", headers=sam)).status_code == 200
        alex = {"Authorization": f"Bearer {access.token_for('alex')}"}
        lifted = await web.post("/api/sim/alex/press?count=2", headers=alex)
        assert lifted.status_code == 200
        await wait_until(lambda: hub.session.held("alex") is None)


async def test_no_route_naming_a_wearer_acts_for_another_wearer(
    broker: BrokerAddress, pair_id: str
) -> None:
    async with simulated_hub_page(broker, pair_id) as (hub, watches, access, web):
        asks = AS_SAM | SIM_ROUTES
        routes = routes_of(create_app(hub, EventBus(), access, twins=watches).routes)
        wearer_routes: list[APIRoute] = []
        for route in routes:
            path = str(getattr(route, "path", ""))
            names = set(PARAMETER.findall(path))
            assert names <= NOT_A_WEARER | {"wearer"}, (
                f"{path}: if a parameter names a wearer, call it {{wearer}} (the guard checks "
                "that one); else add it to NOT_A_WEARER"
            )
            if "wearer" in names:
                assert not isinstance(route, APIWebSocketRoute), f"{path}: teach this test"
                assert isinstance(route, APIRoute), f"{path}: a route kind this test cannot read"
                assert path in asks, f"{path}: say how sam's side asks it"
                wearer_routes.append(route)
        assert len(wearer_routes) >= 10, "the wearers', practice and sim routes are all here"

        sam = {"Cookie": f"comfort_sam={access.token_for('sam')}"}
        for route in wearer_routes:
            method, path, body = asks[route.path]
            alexs = path.replace("/sam", "/alex", 1)
            refused = await web.request(method, alexs, json=body, headers=sam)
            assert refused.status_code == 403, f"{method} {alexs}: {refused.text}"
            assert "may not act for 'alex'" in refused.text
        assert hub.session.held("alex") is ComfortSignal.STOP
        assert watches["alex"].in_range
        assert hub.practice.records.confirmed("alex") is None
        assert hub.practice.drill is None and not hub.practice.aftercare_started
