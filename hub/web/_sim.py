"""A hand on the simulated wearables of a hub run with ``--simulated`` (``comfort-hub sim``).

Mounted on the hub's web app only when its wearables are simulated twins, so a hub on real
devices has no such routes at all. Each action acts on the twin itself: a gesture goes out
as the bytes the real device would send, and a dropped link is a twin gone out of range,
so the hub hears both through its drivers and its link supervision, never through a
shortcut into the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from firmware_bridge.sim import Gesture, GestureRefused, SimulatedPeripheral, perform_gesture

# More than any signal needs (four taps make a stop), few enough that a typo cannot keep
# a twin tapping for minutes.
MAX_COUNT = 20


class HandAction(StrEnum):
    TAP = "tap"
    PRESS = "press"
    HOLD = "hold"
    DROP = "drop"
    RESTORE = "restore"


def sim_router(twins: Mapping[str, SimulatedPeripheral]) -> APIRouter:
    """Routes under ``/api/sim`` acting on ``twins`` (the local wearers' twins, by name)."""
    router = APIRouter(prefix="/api/sim", tags=["simulated wearables"])

    def twin_of(wearer: str) -> SimulatedPeripheral:
        twin = twins.get(wearer)
        if twin is None:
            names = ", ".join(sorted(twins)) or "none"
            raise HTTPException(
                404, f"no simulated wearable for {wearer!r} on this hub (wearers: {names})"
            )
        return twin

    @router.get("")
    async def wearables() -> dict[str, Any]:
        """The simulated wearables, by wearer: which twin, and whether its link is up."""
        return {
            "wearers": {
                wearer: {
                    "device": twin.name,
                    "address": twin.address,
                    "in_range": twin.in_range,
                    "connected": twin.connected,
                }
                for wearer, twin in twins.items()
            }
        }

    @router.post("/{wearer}/{action}")
    async def act(
        wearer: str,
        action: HandAction,
        count: Annotated[int, Query(ge=1, le=MAX_COUNT)] = 1,
    ) -> dict[str, Any]:
        """Does ``action`` on ``wearer``'s twin; answers once it is done (taps take time)."""
        twin = twin_of(wearer)
        if action is HandAction.DROP:
            twin.leave()
        elif action is HandAction.RESTORE:
            twin.come_back()
        else:
            try:
                await perform_gesture(twin, Gesture(action.value), count)
            except GestureRefused as refused:
                raise HTTPException(409, f"{wearer}'s {refused}") from None
        return {"wearer": wearer, "action": action, "count": count, "device": twin.name}

    return router
