"""``comfort-hub agree``: before a session, from a terminal: your signals, the check, the plan.

It talks to the running hub's page API (loopback by default), so the terminal and the phones
see the same agreement and the same plan.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import urllib.error
import urllib.request
from typing import Any

from pydantic import ValidationError

from hub._topics import check_name
from hub.commands._help import add_command
from hub.commands._hub_link import add_hub_arguments, hub_link, refusal
from hub.practice import SharedPlan

# The hub is on this machine or this room's network: an answer takes milliseconds.
TIMEOUT_S = 5.0
# The check-in intervals the hub takes, in minutes: more often is no longer gentle (the
# practice's shortest), rarer than every four hours is not checking in (the page API's limit).
CHECK_IN_MINUTES = (1.0, 240.0)


class BadFlag(ValueError):
    """A flag's value the hub would refuse; the message names the flag and what it takes."""


class HubUnreachable(Exception):
    pass


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "agree",
        help="agree your signals and the shared plan before a session",
        description=(
            "Show WEARER's signals (from their own device), the partner's, a short check to "
            "talk over, and the shared plan; confirm the signals or change the plan. Needs "
            "the hub running with its web page on. Nothing of it is a contract."
        ),
        examples=[
            "comfort-hub agree alex",
            "comfort-hub agree alex --confirm",
            "comfort-hub agree sam --set safeword=red --check-ins 20",
            "comfort-hub agree alex --hub 'http://192.168.1.20:8080/wearers/alex?token=...' "
            "--check-ins off",
        ],
    )
    parser.add_argument("wearer", help="whose signals: the name in the hub's configuration")
    add_hub_arguments(parser)
    parser.add_argument(
        "--confirm", action="store_true", help="confirm that you know and agree to your signals"
    )
    fields = ", ".join(SharedPlan.model_fields)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help=f"change the shared plan (the partner sees it); fields: {fields}",
    )
    parser.add_argument(
        "--check-ins",
        metavar="MINUTES|off",
        help=(
            f"a gentle pulse to both wrists every MINUTES ({CHECK_IN_MINUTES[0]:g} to "
            f"{CHECK_IN_MINUTES[1]:g}), or off (the default)"
        ),
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        check_name("wearer", args.wearer)
        changes = _plan_changes(args.set)
        interval = None if args.check_ins is None else _check_ins_flag(args.check_ins)
    except ValueError as error:  # BadFlag, or a wearer's name that cannot be one
        print(f"comfort-hub agree: {error}", file=sys.stderr)
        return 2
    # The printed link carries the wearer's page token; the hub refuses calls without it.
    try:
        hub = hub_link(args)
    except ValueError as error:
        print(f"comfort-hub agree: {error}", file=sys.stderr)
        return 2
    token = hub.token or ""
    base = f"{hub.base}/api/practice/{args.wearer}"
    try:
        if args.confirm:
            _call("POST", f"{base}/confirm", token=token)
        if changes:
            _call("PATCH", f"{base}/plan", changes, token=token)
        if interval is not None:
            _call("PUT", f"{base}/check-ins", interval, token=token)
        state = _call("GET", base, token=token)
    except HubUnreachable as error:
        print(f"comfort-hub agree: {error}", file=sys.stderr)
        return 1
    print(describe(state))
    return 0


def _plan_changes(items: list[str]) -> dict[str, str]:
    """``--set FIELD=VALUE`` flags as the plan's changes, each checked as the hub checks it."""
    changes: dict[str, str] = {}
    for item in items:
        field, equals, value = item.partition("=")
        if not equals or field not in SharedPlan.model_fields:
            fields = ", ".join(SharedPlan.model_fields)
            raise BadFlag(f"--set {item!r}: expected FIELD=VALUE with FIELD one of {fields}")
        try:
            SharedPlan.model_validate({field: value})
        except ValidationError as error:
            raise BadFlag(f"--set {field}=...: {error.errors()[0]['msg']}") from None
        changes[field] = value
    return changes


def _check_ins_flag(text: str) -> dict[str, float | None]:
    """``--check-ins MINUTES|off`` as the hub's check-in settings."""
    if text == "off":
        return {"interval_min": None}
    low, high = CHECK_IN_MINUTES
    try:
        minutes = float(text)
    except ValueError:
        minutes = math.nan
    if not low <= minutes <= high:  # also refuses nan
        raise BadFlag(f"--check-ins {text!r}: expected minutes from {low:g} to {high:g}, or off")
    return {"interval_min": minutes}


def describe(state: dict[str, Any]) -> str:
    agreement = state["agreement"]
    lines = [
        "You have both agreed your signals."
        if agreement["both_confirmed"]
        else "The signals have not been agreed yet (a stop still always goes through).",
        "",
        f"Your signals ({state['wearer']}):",
        *(f"  {g}" for g in agreement["gestures"] or ["(none on your device: use the page)"]),
        f"{state['partner']}'s signals:",
        *(f"  {g}" for g in agreement["partner_gestures"] or ["(none: the page)"]),
        "",
        *state["pre_session_check"],
        "",
        "Our plan:",
        *(f"  {k.replace('_', ' ')}: {v or '-'}" for k, v in state["plan"].items()),
        "",
        _check_ins(state["check_ins"]["interval_s"]),
    ]
    if not agreement["confirmed"][state["wearer"]]:
        lines += ["", f"When you know them: comfort-hub agree {state['wearer']} --confirm"]
    return "\n".join(lines)


def _check_ins(interval_s: float | None) -> str:
    if interval_s is None:
        return "Check-ins: off"
    return f"Check-ins: a gentle pulse every {interval_s / 60:g} minutes; one tap answers all good"


def _call(method: str, url: str, body: dict[str, Any] | None = None, *, token: str = "") -> Any:
    headers = {} if body is None else {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise HubUnreachable(f"{method} {url}: {refusal(error)}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        raise HubUnreachable(f"cannot reach the hub at {url}: {reason} (is it running?)") from None
