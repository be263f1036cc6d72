"""Whether a broker lets this hub in: asked once, before anything relies on it.

A broker that refuses the hub's user name and password refuses every reconnect as well, so
the relay would only log "Not authorized" until someone gave up on it. A broker that cannot
be reached at all may still come up: that is left to the caller's own wait.
"""

from __future__ import annotations

import asyncio
import math
import secrets

import aiomqtt

from hub._broker import NO_DELAY, BrokerAddress, tls_parameters

# How long the one question may take; a broker slower than this is left to the hub's wait.
CHECK_TIMEOUT_S = 5.0
# CONNACK answers that no retry changes: MQTT 3.1.1's 4 and 5, and MQTT 5's reason codes for
# them (paho reports either as its own reason code, 134 and 135).
_REFUSED = {4: "bad user name or password", 5: "not authorized"}
_REFUSED_V5 = {134: "bad user name or password", 135: "not authorized"}

USERNAME_VARIABLE = "COMFORT_HUB_BROKER_USERNAME"
PASSWORD_VARIABLE = "COMFORT_HUB_BROKER_PASSWORD"


class BrokerRefused(Exception):
    """The broker refused the hub's credentials; the message says how to give them."""


async def check_credentials(broker: BrokerAddress, *, timeout_s: float = CHECK_TIMEOUT_S) -> None:
    """Returns once ``broker`` takes the credentials, or cannot be asked in time; raises
    :class:`BrokerRefused` when it answers that it will not."""
    client = aiomqtt.Client(
        broker.host,
        broker.port,
        username=broker.username,
        password=broker.password,
        tls_params=tls_parameters(broker),
        # A throwaway identity with a clean session: the hub's own persistent session and
        # its last will are left alone.
        identifier=f"comfort-hub-check-{secrets.token_hex(4)}",
        clean_session=True,
        socket_options=NO_DELAY,
        timeout=math.inf,
    )
    try:
        async with asyncio.timeout(timeout_s), client:
            return
    except aiomqtt.MqttCodeError as error:
        reason = _refusal(error.rc)
        if reason is None:
            return
    except (aiomqtt.MqttError, TimeoutError, OSError):
        return
    given = f"as user {broker.username!r}" if broker.username else "without a user name"
    raise BrokerRefused(
        f"the broker at {broker} refused the connection {given}: {reason} (give its user "
        f"and password in {USERNAME_VARIABLE} and {PASSWORD_VARIABLE}, or in the URL: "
        "mqtt://USER:PASSWORD@host:port)"
    )


def _refusal(rc: object) -> str | None:
    value = getattr(rc, "value", rc)
    if not isinstance(value, int):
        return None
    return _REFUSED_V5.get(value) or _REFUSED.get(value)
