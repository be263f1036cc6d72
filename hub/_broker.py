"""Where the MQTT broker is: an address given by the user, or one the hub runs itself."""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import aiomqtt

log = logging.getLogger(__name__)

DEFAULT_PORT = 1883
DEFAULT_TLS_PORT = 8883

# Every MQTT connection of ours sends each packet at once. With Nagle's algorithm on, a
# publish written just after a small unacknowledged packet (the PUBACK for a message just
# received) waits for the broker's delayed ACK, about 40 ms on Linux: bench latency saw each
# signal queued behind another one arrive 40 ms later per message ahead of it.
NO_DELAY = ((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),)


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int = DEFAULT_PORT
    username: str | None = None
    # Never printed: __str__ and repr leave it out.
    password: str | None = field(default=None, repr=False)
    tls: bool = False
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        """``mqtt[s]://[user[:password]@]host[:port]``; refuses anything else, saying why."""
        parts = urlsplit(url if "://" in url else f"mqtt://{url}")
        if parts.scheme not in ("mqtt", "mqtts"):
            raise ValueError(f"broker URL {url!r}: scheme must be mqtt:// or mqtts:// (TLS)")
        tls = parts.scheme == "mqtts"
        if not parts.hostname:
            raise ValueError(f"broker URL {url!r} names no host")
        try:
            port = parts.port or (DEFAULT_TLS_PORT if tls else DEFAULT_PORT)
        except ValueError:
            raise ValueError(f"broker URL {url!r}: the port is not a number 1-65535") from None
        if parts.path not in ("", "/"):
            raise ValueError(f"broker URL {url!r}: unexpected path {parts.path!r}")
        return cls(parts.hostname, port, parts.username, parts.password, tls=tls)

    def __str__(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def embedded_broker(port: int | None = None) -> AsyncIterator[BrokerAddress]:
    """Runs an in-process MQTT broker on loopback for as long as the block runs.

    Only for a hub that serves both partners itself (the demo, a single room): nothing
    outside this machine can reach it.
    """
    from amqtt.broker import Broker

    address = BrokerAddress("127.0.0.1", port or free_loopback_port())
    broker = Broker(
        {
            "listeners": {"default": {"type": "tcp", "bind": f"{address.host}:{address.port}"}},
            # Naming the plugins keeps amqtt from loading its $SYS statistics plugin.
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
            },
        }
    )
    await broker.start()
    log.info("embedded MQTT broker listening on %s", address)
    try:
        yield address
    finally:
        await broker.shutdown()


def tls_parameters(broker: BrokerAddress) -> aiomqtt.TLSParameters | None:
    """aiomqtt's TLS settings for ``broker``, or None for a plain connection."""
    if not broker.tls:
        return None
    return aiomqtt.TLSParameters(
        ca_certs=str(broker.ca_file) if broker.ca_file else None,
        certfile=str(broker.cert_file) if broker.cert_file else None,
        keyfile=str(broker.key_file) if broker.key_file else None,
    )
