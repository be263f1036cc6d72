"""A loaded configuration checked against this machine: the data directory can be written, the
files it names can be read (and used), the hosts it names resolve.

Found at load, each is one line naming the field and the path or host; found later, it would
only show at the first connect, as a hub looping "reconnecting" for ever.
"""

from __future__ import annotations

import os
import socket
import ssl
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub._config import HubSettings


def unusable_on_this_machine(settings: HubSettings) -> str | None:
    """Why ``settings`` cannot be used here (``field: what``), or None."""
    return (
        _unusable_path("data_dir", settings.data_dir)
        or _unreadable_file(settings)
        or _unusable_tls(settings)
        or _unresolvable(settings)
    )


def _unusable_path(field: str, directory: Path) -> str | None:
    """Why the hub could not write in ``directory`` (made at start if missing), or None."""
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{field}: {existing} is a file, not a directory"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{field}: {existing} is not writable by this user"
    return None


def _unreadable_file(settings: HubSettings) -> str | None:
    """Why a file the configuration names cannot be read, or None.

    Every path field but the data directory names a file the hub reads (the broker's TLS
    material): missing, it would only show at the first connect, as a reconnect loop.
    """
    for field in type(settings).model_fields:
        path = getattr(settings, field)
        if field == "data_dir" or not isinstance(path, Path):
            continue
        if not path.exists():
            return f"{field}: {path}: no such file"
        if not path.is_file():
            return f"{field}: {path} is not a file"
        if not os.access(path, os.R_OK):
            return f"{field}: {path} is not readable by this user"
    return None


def _unusable_tls(settings: HubSettings) -> str | None:
    """Why the broker's TLS files cannot be used (not PEM, a key that does not fit), or None."""
    ca, cert, key = settings.broker_ca_file, settings.broker_cert_file, settings.broker_key_file
    if key is not None and cert is None:
        return f"broker_key_file: {key} needs its certificate too (broker_cert_file)"
    context = ssl.create_default_context()
    try:
        if ca is not None:
            context.load_verify_locations(cafile=str(ca))
    except ssl.SSLError as error:
        return f"broker_ca_file: {ca}: not a PEM certificate ({error.reason or error})"
    try:
        if cert is not None:
            # No password to give: a key protected by one cannot be used by the hub either.
            context.load_cert_chain(str(cert), str(key) if key else None, password="")
    except ssl.SSLError as error:
        return (
            f"broker_cert_file: {cert}"
            + (f" with broker_key_file {key}" if key else "")
            + f": not a certificate and its unprotected key ({error.reason or error})"
        )
    return None


def _unresolvable(settings: HubSettings) -> str | None:
    """A broker or web host that names no address (a typo found now, not at first connect)."""
    broker = settings.broker_address
    hosts = [("broker", broker.host)] if broker is not None else []
    if settings.web.enabled:
        hosts.append(("web.host", settings.web.host))
    for field, host in hosts:
        try:
            socket.getaddrinfo(host, None)
        except (OSError, UnicodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            return f"{field}: host {host!r} does not resolve ({reason})"
    return None
