"""Which running hub a command talks to: ``--hub URL`` and ``--token``, the same on every command.

``URL`` is the hub's page (``http://127.0.0.1:8080``) or a link the hub printed, whose
``token=`` is then used. ``--url`` is the older spelling of ``--hub`` (``comfort-hub agree``
took it): still accepted, no longer shown.
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
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
    given: str = args.hub or DEFAULT_HUB  # a command may leave --hub unset (None) by default
    parts = urlsplit(given)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--hub {given!r} is not an http:// URL")
    token = (
        args.token
        or parse_qs(parts.query).get("token", [None])[0]
        or os.environ.get(TOKEN_VARIABLE)
    )
    return HubLink(f"{parts.scheme}://{parts.netloc}", token)


def refusal(error: urllib.error.HTTPError) -> str:
    """What the hub's answer says was wrong, as one line."""
    text = error.read()
    try:
        detail = json.loads(text or b"{}").get("detail", error.reason)
    except ValueError:  # the page's guard answers in plain text
        return " ".join(text.decode(errors="replace").split()) or str(error.reason)
    if isinstance(detail, list):  # the API's own check of a request: one entry per field
        return "; ".join(_problem(entry) for entry in detail)
    return " ".join(str(detail).split())


def _problem(entry: object) -> str:
    if not isinstance(entry, dict):
        return str(entry)
    # ["body", "interval_min"] names the field; "body" is where, not what.
    where = ".".join(str(part) for part in entry.get("loc", []) if part != "body")
    return f"{where}: {entry.get('msg', '')}" if where else str(entry.get("msg", ""))
