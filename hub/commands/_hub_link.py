"""Which running hub a command talks to: ``--hub URL`` and ``--token``, the same on every command.

``URL`` is the hub's page (``http://127.0.0.1:8080``) or a link the hub printed, whose
``token=`` is then used. ``--url`` is the older spelling of ``--hub`` (``comfort-hub agree``
took it): still accepted, no longer shown.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

DEFAULT_HUB = "http://127.0.0.1:8080"
TOKEN_VARIABLE = "COMFORT_HUB_TOKEN"


@dataclass(frozen=True)
class HubLink:
    base: str  # scheme://host:port, no path
    token: str | None


def add_hub_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--hub",
        default=DEFAULT_HUB,
        metavar="URL",
        help=(f"the hub's page, or the link it printed (its token is used); default {DEFAULT_HUB}"),
    )
    # Both spellings stay: scripts written for either keep working.
    parser.add_argument("--url", dest="hub", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    parser.add_argument(
        "--token",
        help=(
            "the hub's access token: the token= part of a page link the hub printed "
            f"(default: the token in --hub, else ${TOKEN_VARIABLE})"
        ),
    )


def hub_link(args: argparse.Namespace) -> HubLink:
    """The hub's address and token from ``--hub``/``--url`` and ``--token``; ValueError names
    what is wrong with the address."""
    parts = urlsplit(args.hub)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--hub {args.hub!r} is not an http:// URL")
    token = (
        args.token
        or parse_qs(parts.query).get("token", [None])[0]
        or os.environ.get(TOKEN_VARIABLE)
    )
    return HubLink(f"{parts.scheme}://{parts.netloc}", token)
