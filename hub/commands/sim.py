"""``comfort-hub sim ACTION WEARER``: a hand on the simulated wearables of a running hub."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import httpx

from hub.commands._help import add_command
from hub.commands._hub_link import TOKEN_VARIABLE, add_hub_arguments, hub_link

ACTIONS = ("tap", "press", "hold", "drop", "restore")
COUNTED = ("tap", "press")
# The hub answers once the gesture is made: twenty presses take about six seconds.
ANSWER_TIMEOUT_S = 30.0

# With a hub started by `comfort-hub run --config hub.toml --simulated`.
_EXAMPLES = [
    "comfort-hub sim tap alex --count 4     # four taps on alex's wrist: stop",
    'comfort-hub sim press sam              # sam presses once: "I noticed"',
    "comfort-hub sim press alex --count 2   # alex presses twice: lifts alex's own signal",
    "comfort-hub sim hold alex              # alex holds the button: stop",
    "comfort-hub sim drop sam               # sam's wearable goes out of range",
    "comfort-hub sim restore sam            # and comes back",
]


class SimError(Exception):
    """Why the action was not done, in one line."""


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "sim",
        help="tap, press or drop a simulated wearable of a running hub",
        description=(
            "Acts on a simulated wearable of a hub run with --simulated (or `comfort-hub\n"
            "demo`), as its wearer would: the twin sends what the real device sends, so the\n"
            "hub hears it as it would hear the device. tap and press take --count; hold is\n"
            "one long press; drop and restore take the wearable out of radio range and back. "
            "The examples assume a hub started by "
            "`comfort-hub run --config hub.toml --simulated`."
        ),
        examples=_EXAMPLES,
    )
    parser.add_argument("action", choices=ACTIONS, metavar="ACTION", help=", ".join(ACTIONS))
    parser.add_argument("wearer", metavar="WEARER", help="whose wearable (a name in the config)")
    parser.add_argument(
        "--count",
        type=_count,
        default=1,
        metavar="N",
        help="how many taps or presses, in a natural rhythm (default 1)",
    )
    add_hub_arguments(parser)
    parser.set_defaults(run=run)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"the count must be at least 1, got {value}")
    return value


def run(args: argparse.Namespace) -> int:
    if args.count != 1 and args.action not in COUNTED:
        print(f"comfort-hub sim: --count is for tap and press, not {args.action}", file=sys.stderr)
        return 2
    try:
        hub = hub_link(args)
    except ValueError as error:
        print(f"comfort-hub sim: {error}", file=sys.stderr)
        return 2
    headers = {"Authorization": f"Bearer {hub.token}"} if hub.token else {}
    try:
        with httpx.Client(base_url=hub.base, headers=headers, timeout=ANSWER_TIMEOUT_S) as client:
            done = act(client, args.action, args.wearer, args.count)
    except SimError as error:
        print(f"comfort-hub sim: {error}", file=sys.stderr)
        return 1
    print(done)
    return 0


def act(client: httpx.Client, action: str, wearer: str, count: int) -> str:
    """Asks the hub at ``client.base_url`` to act; returns what was done, or raises SimError."""
    where = str(client.base_url).rstrip("/")
    try:
        listing = client.get("/api/sim")
        _check(listing, where)
        answer = client.post(f"/api/sim/{wearer}/{action}", params={"count": count})
    except httpx.TransportError:
        raise SimError(
            f"no hub answers at {where} (is `comfort-hub run --simulated` running there?)"
        ) from None
    _check(answer, where)
    device = answer.json().get("device", "")
    times = f" x{count}" if count > 1 else ""
    return f"{wearer}: {action}{times} on {device}"


def _check(response: httpx.Response, where: str) -> None:
    if response.is_success:
        return
    detail = _detail(response)
    if response.status_code in (401, 403):
        raise SimError(
            f"the hub at {where} refused the request ({detail}); "
            f"give its token with --token or ${TOKEN_VARIABLE}"
        )
    if response.request.url.path.endswith("/api/sim") and response.status_code == 404:
        raise SimError(f"the hub at {where} has no simulated wearables (start it with --simulated)")
    raise SimError(detail)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        # FastAPI's validation errors: name the field that was refused.
        field = str(detail[0].get("loc", ["", "request"])[-1])
        return f"the hub refused {field}: {detail[0].get('msg', 'invalid')}"
    return f"the hub answered {response.status_code} {response.reason_phrase}"
