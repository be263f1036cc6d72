"""The ATT MTU of a connection, where the platform lets bleak know it."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from bleak import BleakClient
from bleak.exc import BleakError

log = logging.getLogger(__name__)

# Every link has at least this; payloads are 3 bytes less.
DEFAULT_ATT_MTU = 23


async def negotiated_mtu(client: BleakClient) -> int | None:
    """The link's ATT MTU, or None where the platform cannot say.

    BlueZ negotiates the MTU by itself, but bleak only learns the result through the
    backend's ``_acquire_mtu`` (bleak's own ``mtu_size.py`` example does this) and warns
    when asked before; other backends know it from the start.
    """
    backend: Any = getattr(client, "_backend", None)
    if getattr(backend, "_mtu_size", 0) is None:
        acquire = getattr(backend, "_acquire_mtu", None)
        if acquire is None:
            return None
        try:
            await acquire()
        except (BleakError, AssertionError, StopIteration, OSError) as error:
            log.info("could not learn the MTU of %s: %s", client.address, error)
            return None
    with contextlib.suppress(BleakError):
        return client.mtu_size
    return None
