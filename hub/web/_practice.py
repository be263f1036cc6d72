"""The practice API and pages: agreement and plan, rehearsal, check-ins, aftercare, feedback.

Every route names the wearer whose page asks (``/api/practice/<wearer>/...``) and acts and
answers as that wearer: a partner's private feedback is never in any answer, and a partner's
part of practice (ending their rehearsal, saying one felt one's own step) is refused (403).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from hub.practice import (
    PRE_SESSION_CHECK,
    Feedback,
    NotYours,
    Practice,
    PracticeError,
    SharedPlan,
)

PAGES = ("agreement", "rehearsal", "aftercare")
ASSETS = {"practice.css": "text/css", "practice.js": "text/javascript"}


class CheckInSettings(BaseModel):
    # None turns check-ins off (the default); the practice refuses intervals that are not gentle.
    interval_min: float | None = Field(default=None, gt=0, le=240)
    # How long a check-in waits before showing "no answer" (and doing nothing else).
    answer_within_s: float | None = Field(default=None, gt=0, le=600)


def practice_router(practice: Practice) -> APIRouter:
    router = APIRouter()

    def wearer_of_pair(wearer: str) -> str:
        if wearer not in practice.records.pair:
            raise HTTPException(404, f"no wearer {wearer!r} in this pair")
        return wearer

    def doing(action: Any, *args: Any) -> None:
        try:
            action(*args)
        except NotYours as error:
            # The partner's part of practice (their rehearsal, say): the page shows why.
            raise HTTPException(403, str(error)) from None
        except PracticeError as error:
            raise HTTPException(409, str(error)) from None

    @router.get("/practice/{wearer}/{page}", response_class=HTMLResponse)
    async def page(wearer: str, page: str) -> str:
        wearer_of_pair(wearer)
        if page not in PAGES:
            raise HTTPException(404, f"no practice page {page!r}; there are {', '.join(PAGES)}")
        return resources.files("hub.web").joinpath(f"static/{page}.html").read_text()

    @router.get("/practice-assets/{name}")
    async def asset(name: str) -> Response:
        if name not in ASSETS:
            raise HTTPException(404, f"no asset {name!r}")
        text = resources.files("hub.web").joinpath(f"static/{name}").read_text()
        return Response(text, media_type=ASSETS[name])

    @router.get("/api/practice/{wearer}")
    async def overview(wearer: str) -> dict[str, Any]:
        return {
            **practice.overview(wearer_of_pair(wearer)),
            # Read out, never asked for or stored.
            "pre_session_check": list(PRE_SESSION_CHECK),
        }

    @router.post("/api/practice/{wearer}/confirm")
    async def confirm(wearer: str) -> dict[str, Any]:
        practice.confirm(wearer_of_pair(wearer))
        return practice.overview(wearer)["agreement"]  # type: ignore[no-any-return]

    @router.patch("/api/practice/{wearer}/plan")
    async def change_plan(wearer: str, changes: dict[str, Any]) -> dict[str, str]:
        wearer_of_pair(wearer)
        merged = {**practice.records.plan.model_dump(), **changes}
        try:
            plan = SharedPlan.model_validate(merged)
        except ValueError as error:
            raise HTTPException(422, f"plan: {error}") from None
        return practice.change_plan(wearer, plan, set(changes))

    @router.post("/api/practice/{wearer}/rehearsal/start")
    async def start_rehearsal(wearer: str) -> dict[str, Any]:
        doing(practice.start_rehearsal, wearer_of_pair(wearer))
        return practice.overview(wearer)["rehearsal"]  # type: ignore[no-any-return]

    @router.post("/api/practice/{wearer}/rehearsal/end")
    async def end_rehearsal(wearer: str) -> dict[str, str]:
        # Only the rehearsing wearer's own: the other's would make the partner's practice
        # gestures real signals under them.
        doing(practice.end_rehearsal, wearer_of_pair(wearer))
        return {"rehearsal": "ended"}

    @router.post("/api/practice/{wearer}/rehearsal/felt")
    async def felt(wearer: str) -> dict[str, str]:
        doing(practice.partner_felt, wearer_of_pair(wearer))
        return {"felt": wearer}

    @router.post("/api/practice/{wearer}/tap-calibration/reset")
    async def reset_tap_calibration(wearer: str) -> dict[str, Any]:
        return practice.reset_calibration(wearer_of_pair(wearer)).view()

    @router.put("/api/practice/{wearer}/check-ins")
    async def check_ins(wearer: str, settings: CheckInSettings) -> dict[str, float | None]:
        wearer_of_pair(wearer)
        interval_s = None if settings.interval_min is None else settings.interval_min * 60
        doing(practice.set_check_ins, interval_s, settings.answer_within_s)
        return {"interval_s": interval_s}

    @router.post("/api/practice/{wearer}/check-ins/now")
    async def check_in_now(wearer: str) -> dict[str, str | None]:
        wearer_of_pair(wearer)
        practice.check_in_now()
        return {"open": practice.check_ins.open_id}

    @router.post("/api/practice/{wearer}/check-ins/answer")
    async def answer(wearer: str) -> dict[str, str]:
        practice.answer_check_in(wearer_of_pair(wearer))
        return {"answer": "all_good"}

    @router.post("/api/practice/{wearer}/session/end")
    async def end_session(wearer: str) -> dict[str, bool]:
        practice.end_session(wearer_of_pair(wearer))
        return {"aftercare": True}

    @router.post("/api/practice/{wearer}/feedback")
    async def feedback(wearer: str, answers: Feedback) -> dict[str, Any]:
        practice.give_feedback(wearer_of_pair(wearer), answers)
        return practice.records.feedback_seen_by(wearer)

    return router
