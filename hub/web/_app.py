"""FastAPI app: the partner's page and a small JSON API (the live feed is ``/ws/feed``)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import io
import secrets
import socket
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any

import segno
import uvicorn
from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import HTMLResponse, Response

from hub import EventBus, Hub
from hub._signing import KEYS_DIFFER
from hub._sound import tone_wav
from hub.store import SessionRecorder
from hub.web._access import PageAccess, PageGuard, only_as_own_wearer, served_names
from hub.web._practice import practice_router
from hub.web._sessions import sessions_router
from signals import ComfortSignal

if TYPE_CHECKING:
    from firmware_bridge.sim import SimulatedPeripheral


class WebPortBusy(OSError):
    """The configured web port is taken; the message names it."""


def page_access(hub: Hub, secret: bytes | None = None, host: str = "127.0.0.1") -> PageAccess:
    """Access for ``hub``'s local wearers; with no ``secret``, a fresh one (this run's links)."""
    return PageAccess(
        secret or secrets.token_bytes(32),
        tuple(hub.session.local_wearers),
        served_names(host),
    )


def create_app(
    hub: Hub,
    bus: EventBus,
    access: PageAccess | None = None,
    *,
    twins: Mapping[str, SimulatedPeripheral] | None = None,
    recorder: SessionRecorder | None = None,
) -> FastAPI:
    """The page and API; with ``twins`` (a hub on simulated wearables) the ``/api/sim`` hand."""
    # A route naming a wearer in its path ({wearer}) acts only for the token's own wearer:
    # checked for every route, also those of the routers below and those added later.
    app = FastAPI(
        title="comfort-hub",
        docs_url="/api/docs",
        redoc_url=None,
        dependencies=[Depends(only_as_own_wearer)],
    )
    # Every route and the WebSocket, also those added later, pass the guard first.
    app.add_middleware(PageGuard, access=access or page_access(hub))
    app.include_router(sessions_router(recorder, bus))
    if twins is not None:
        from hub.web._sim import sim_router

        app.include_router(sim_router(twins))
    session = hub.session
    app.include_router(practice_router(hub.practice))

    def known(wearer: str) -> str:
        if wearer not in session.local_wearers:
            raise HTTPException(404, f"no wearer {wearer!r} on this hub")
        return wearer

    @app.get("/", response_class=HTMLResponse)
    async def page() -> str:
        return resources.files("hub.web").joinpath("static/index.html").read_text()

    @app.get("/wearers/{wearer}", response_class=HTMLResponse)
    async def wearer_page(wearer: str) -> str:
        """The page as ``wearer`` sees it: their partner's signals, their own resume."""
        known(wearer)
        return resources.files("hub.web").joinpath("static/index.html").read_text()

    @app.get("/api/status")
    async def status() -> dict[str, Any]:
        return {
            "pair": hub.topics.pair,
            "broker_connected": hub.relay.connected.is_set(),
            # The partner's side heard sealed with another key: what to do about it.
            "pair_key_notice": _pair_key_notice(hub.relay.foreign_topics),
            "wearers": [
                {
                    "name": name,
                    # Named even when the partner is on another hub (from the pair's names).
                    "partner": session.partner_of(name),
                    "held": session.held(name),
                    "partner_level": session.partner_level(name),
                    "awaiting_ack": session.awaiting_ack(name),
                    "partner_unreachable": session.partner_unreachable(name),
                    "connected": hub.links[name].connected.is_set(),
                }
                for name in session.local_wearers
            ],
        }

    @app.post("/api/wearers/{wearer}/ack")
    async def acknowledge(wearer: str) -> dict[str, Any]:
        ack = session.acknowledge(known(wearer))
        if ack is None:
            raise HTTPException(409, f"{wearer} has no signal waiting for acknowledgement")
        return ack.model_dump(mode="json")

    @app.post("/api/wearers/{wearer}/resume")
    async def resume(wearer: str) -> dict[str, Any]:
        """Only a wearer's own side lifts their level: this names the wearer resuming."""
        message = session.resume(known(wearer))
        if message is None:
            raise HTTPException(
                409, f"{wearer} holds no signal; only the signaller can resume their own signal"
            )
        return message.model_dump(mode="json")

    @app.get("/api/tones/{signal}.wav")
    async def tone(signal: str) -> Response:
        try:
            wanted = ComfortSignal(signal)
        except ValueError:
            raise HTTPException(404, f"no tone for {signal!r}") from None
        return Response(tone_wav(wanted), media_type="audio/wav")

    return app


def _pair_key_notice(topics: list[str]) -> str | None:
    if not topics:
        return None
    return f"Messages on {', '.join(topics)} are sealed with another key, so refused: {KEYS_DIFFER}"


async def serve(
    hub: Hub,
    bus: EventBus,
    *,
    port: int,
    say: Callable[[str], None],
    host: str = "127.0.0.1",
    access: PageAccess | None = None,
    qr: bool = False,
    twins: Mapping[str, SimulatedPeripheral] | None = None,
    recorder: SessionRecorder | None = None,
    listening: socket.socket | None = None,
) -> None:
    """Serves the page until cancelled. Loopback by default: intimate data stays on the hub.

    A busy ``port`` is an error naming it (``port = 0`` asks for a free one). Prints one link
    per local wearer (with ``qr``, also as a QR code for the phone). ``listening`` is the
    socket :func:`listen_for_page` bound to ``host``:``port`` already (a hub claims its port
    before it connects anything).
    """
    access = access or page_access(hub, host=host)
    if listening is None:
        listening = listen_for_page(host, port)
    port = listening.getsockname()[1]
    config = uvicorn.Config(
        create_app(hub, bus, access, twins=twins, recorder=recorder), log_level="warning"
    )
    server = _EmbeddedServer(config)
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = socket.gethostname()
    for wearer in access.wearers:
        link = access.link(f"http://{shown}:{port}", wearer)
        say(f"{wearer}'s page: {link}")
        if qr:
            say(_qr(link))
    task = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        await asyncio.shield(task)
    finally:
        # Let uvicorn close its socket and connections rather than dropping them mid-flight.
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task


class _EmbeddedServer(uvicorn.Server):
    """uvicorn, leaving SIGTERM and SIGINT to the hub: by default it takes them over while it
    serves, so a stop asked for would end the page first and the hub's goodbye (each wearer
    told, ``offline`` said) would race its exit."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def listen_for_page(host: str, port: int, *, setting: str = "[web] port") -> socket.socket:
    """A socket listening on ``host``:``port`` for :func:`serve`; a busy port is a
    :class:`WebPortBusy` naming it and ``setting``, where the user chose it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        listening.close()
        if error.errno == errno.EADDRINUSE:
            raise WebPortBusy(
                f"web port {port} on {host} is in use (set {setting} to another, "
                "or 0 for any free one)"
            ) from None
        raise WebPortBusy(f"web page on {host}:{port}: {error.strerror}") from None
    listening.listen(128)
    listening.setblocking(False)
    return listening


def _qr(link: str) -> str:
    out = io.StringIO()
    segno.make(link, error="m").terminal(out=out, compact=True)
    return out.getvalue()
