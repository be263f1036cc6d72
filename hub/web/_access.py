"""Who may use the page: a token per wearer, a known ``Host``, a same-site ``Origin``.

The hub keeps one secret (0600 in the data directory); each local wearer's page token is an
HMAC of it, so the printed link ``/wearers/<name>?token=...`` opens the page *as* that wearer.
Opening it sets a cookie (HttpOnly, SameSite=Strict) and drops the token from the address bar.
The checks are ASGI middleware, so every route and WebSocket, including ones added later, is
covered: no token, 401; a foreign ``Host`` (DNS rebinding), 400; a foreign ``Origin`` on a
state-changing request or the WebSocket, 403. The guard leaves the wearers the token is for
in the request's scope; :func:`only_as_own_wearer`, a dependency of every route of the app,
refuses (403) a route whose path names another wearer (its ``{wearer}`` parameter), so a
route added later cannot forget it. ``/`` opens the page of the token's wearer (``?wearer=``
may choose among the token's own, and names nobody else).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import HTTPException, WebSocketException
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from hub._private_files import write_private

SECRET_BYTES = 32
COOKIE_PREFIX = "comfort_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def load_or_create_page_secret(data_dir: Path) -> bytes:
    path = data_dir / "page-secret"
    try:
        return base64.urlsafe_b64decode(path.read_bytes().strip() + b"==")
    except FileNotFoundError:
        pass
    secret = secrets.token_bytes(SECRET_BYTES)
    write_private(path, base64.urlsafe_b64encode(secret) + b"\n")
    return secret


def served_names(host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The names a browser may use to reach this hub (the ``Host`` header's host part)."""
    names = set(LOOPBACK_NAMES) | {n.lower() for n in extra}
    wildcard = host in ("0.0.0.0", "::", "")
    if not wildcard:
        names.add(host.lower())
    else:
        machine = socket.gethostname()
        names |= {machine.lower(), f"{machine}.local".lower()}
        try:
            for *_, address in socket.getaddrinfo(machine, None):
                names.add(str(address[0]).lower())
        except OSError:
            pass
    return frozenset(names)


@dataclass(frozen=True)
class PageAccess:
    secret: bytes = field(repr=False)
    wearers: tuple[str, ...]
    hosts: frozenset[str] = LOOPBACK_NAMES

    def token_for(self, wearer: str) -> str:
        # Hex, so a token never starts with "-" and reads as an option on a command line.
        return hmac.digest(self.secret, f"page:{wearer}".encode(), hashlib.sha256).hex()

    def wearer_for(self, token: str) -> str | None:
        for wearer in self.wearers:
            if hmac.compare_digest(token.encode(), self.token_for(wearer).encode()):
                return wearer
        return None

    def link(self, base_url: str, wearer: str, path: str | None = None) -> str:
        """A link that opens ``path`` (by default the wearer's page) as ``wearer``."""
        query = urlencode({"token": self.token_for(wearer)})
        return f"{base_url.rstrip('/')}{path or f'/wearers/{wearer}'}?{query}"


def _host_part(value: str) -> str:
    """``[::1]:8080`` -> ``::1``; ``hub.local:8080`` -> ``hub.local``."""
    if value.startswith("["):
        return value[1 : value.find("]")].lower()
    host = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host.lower()


class PageGuard:
    """ASGI middleware holding every request and WebSocket to the rules above."""

    def __init__(self, app: ASGIApp, access: PageAccess) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if _host_part(host) not in self.access.hosts:
            await self._refuse(scope, receive, send, 400, f"unknown Host {host!r}")
            return
        changes_state = scope["type"] == "websocket" or scope["method"] not in SAFE_METHODS
        origin = headers.get("origin")
        if changes_state and origin is not None and not self._same_origin(origin, host):
            await self._refuse(scope, receive, send, 403, f"foreign Origin {origin!r}")
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        offered = self._tokens(headers, query)
        identities = {w for w in map(self.access.wearer_for, offered) if w is not None}
        if not identities:
            await self._refuse(
                scope, receive, send, 401, "open the page with the link the hub printed"
            )
            return
        scope[IDENTITIES_KEY] = frozenset(identities)
        link_token = query.get("token", [None])[0]
        if scope["type"] == "http" and scope["method"] == "GET" and link_token:
            rest = urlencode({k: v for k, v in query.items() if k != "token"}, doseq=True)
            await self._remember(send, scope["path"] + (f"?{rest}" if rest else ""), link_token)
            return
        if scope["type"] == "http" and scope["path"] == "/":
            # The page is always opened as one wearer: the token's (or the one it names).
            wanted = query.get("wearer", [sorted(identities)[0]])[0]
            if wanted not in identities:
                await self._refuse(scope, receive, send, 403, _not_yours(wanted, identities))
                return
            await _redirect(send, f"/wearers/{wanted}")
            return
        await self.app(scope, receive, send)

    def _same_origin(self, origin: str, host: str) -> bool:
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()

    def _tokens(self, headers: dict[str, str], query: dict[str, list[str]]) -> list[str]:
        tokens = list(query.get("token", []))
        cookie = SimpleCookie()
        cookie.load(headers.get("cookie", ""))
        tokens += [m.value for name, m in cookie.items() if name.startswith(COOKIE_PREFIX)]
        scheme, _, bearer = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and bearer:
            tokens.append(bearer.strip())
        return tokens

    async def _remember(self, send: Send, path: str, token: str) -> None:
        """The printed link: keep its token as a cookie, and show an address without it."""
        wearer = self.access.wearer_for(token)
        cookie = (
            f"{COOKIE_PREFIX}{wearer}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000"
        )
        await _redirect(send, path, [(b"set-cookie", cookie.encode())])

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, reason: str
    ) -> None:
        if scope["type"] == "websocket":
            # Closing before accepting refuses the handshake (HTTP 403 to the client).
            await receive()
            await send({"type": "websocket.close", "code": 1008, "reason": reason})
            return
        body = f"{status}: {reason}\n".encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def _redirect(
    send: Send, location: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    extra: list[Any] = headers or []
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode()), *extra],
        }
    )
    await send({"type": "http.response.body", "body": b""})


# The path parameter naming the wearer a route acts for, and where the guard leaves the
# wearers the request's token is for.
WEARER_PARAMETER = "wearer"
IDENTITIES_KEY = "comfort_hub.wearers"


def _not_yours(wearer: str, identities: Iterable[str]) -> str:
    mine = " and ".join(sorted(identities)) or "nobody"
    return f"this page may not act for {wearer!r}: its token is {mine}'s"


def only_as_own_wearer(connection: HTTPConnection) -> None:
    """A dependency of the whole app: a route whose path names a wearer acts only for the
    wearers the request's token is for (``/api/wearers/sam/ack``, ``/api/sim/sam/press``,
    ``/practice/sam/...``). With no guard in front, nobody's (fails closed)."""
    wanted = connection.path_params.get(WEARER_PARAMETER)
    identities = connection.scope.get(IDENTITIES_KEY, frozenset())
    if wanted is None or wanted in identities:
        return
    if connection.scope["type"] == "websocket":
        raise WebSocketException(1008, _not_yours(wanted, identities))
    raise HTTPException(403, _not_yours(wanted, identities))
