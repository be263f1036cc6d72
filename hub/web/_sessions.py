"""Routes of the comfort timeline: sessions, their page and exports, erasing, the live feed.

The live feed (``/ws/feed``) first sends the open session's events so far, then each new one:
a page opened mid-session shows what already happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, Response

from hub import EventBus, HeartRate, HubEvent, event_json
from hub.store import SessionRecorder, SessionStillOpenError, UnknownSessionError, erase
from hub.timeline import FORMATS, build_timeline, export
from hub.timeline._page import timeline_html

# Events waiting for a slow page before it is cut off; a page that far behind reloads.
FEED_QUEUE_LIMIT = 256
_STATIC = resources.files("hub") / "web" / "static"
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
_MEDIA_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".csv": "text/csv",
    ".json": "application/json",
}


def sessions_router(recorder: SessionRecorder | None, bus: EventBus) -> APIRouter:
    router = APIRouter()

    def need_recorder() -> SessionRecorder:
        if recorder is None:
            raise HTTPException(404, "this hub keeps no sessions (started without an event store)")
        return recorder

    async def timeline_of(session_id: str) -> dict[str, Any]:
        try:
            return await asyncio.to_thread(build_timeline, need_recorder().store, session_id)
        except UnknownSessionError as error:
            raise HTTPException(404, str(error)) from None

    @router.get("/static/{name:path}")
    async def static(name: str) -> Response:
        parts = name.split("/")
        # Plain names only: no "..", no absolute path, nothing outside the static folder.
        if not all(_PLAIN_NAME.fullmatch(part) and part != ".." for part in parts):
            raise HTTPException(404, f"no file {name!r}")
        resource = _STATIC.joinpath(*parts)
        if not resource.is_file():
            raise HTTPException(404, f"no file {name!r}")
        media = _MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")
        return Response(resource.read_bytes(), media_type=media)

    @router.get("/sessions/{session_id}", response_class=HTMLResponse)
    async def page(session_id: str) -> str:
        return timeline_html(None, session_id)

    @router.get("/api/sessions")
    async def sessions() -> dict[str, Any]:
        store = need_recorder().store
        try:
            listed = await asyncio.to_thread(store.sessions)
        except UnknownSessionError:
            listed = []
        current = store.current_session
        return {
            "current": current.id if current is not None else None,
            "sessions": [s.as_json() for s in listed],
        }

    @router.post("/api/sessions/start")
    async def start() -> dict[str, Any]:
        return need_recorder().start("explicit").as_json()

    @router.post("/api/sessions/end")
    async def end() -> dict[str, Any]:
        ended = need_recorder().end("explicit")
        if ended is None:
            raise HTTPException(409, "no session is open")
        return ended.as_json()

    @router.get("/api/sessions/{session_id}/timeline")
    async def timeline(session_id: str) -> dict[str, Any]:
        return await timeline_of(session_id)

    @router.get("/api/sessions/{session_id}/export.{image_format}")
    async def exported(session_id: str, image_format: str) -> Response:
        if image_format not in FORMATS:
            raise HTTPException(404, f"no export as {image_format!r}; choose {', '.join(FORMATS)}")
        data = await timeline_of(session_id)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / f"timeline.{image_format}"
            await asyncio.to_thread(export, data, image_format, out)
            body = out.read_bytes()
        name = f"comfort-timeline-{data['session']['id']}.{image_format}"
        return Response(
            body,
            media_type=_MEDIA_TYPES[f".{image_format}"],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @router.delete("/api/sessions/{session_id}")
    async def erase_session(session_id: str) -> dict[str, Any]:
        store = need_recorder().store
        current = store.current_session
        if current is not None and current.id == session_id:
            raise HTTPException(409, "this session is still going: end it before erasing it")
        try:
            erased = await asyncio.to_thread(erase, store.path, session_id)
        except UnknownSessionError as error:
            raise HTTPException(404, str(error)) from None
        except SessionStillOpenError as error:  # open in another hub on the same file
            raise HTTPException(409, str(error)) from None
        return {"erased": erased.ids}

    @router.websocket("/ws/feed")
    async def feed(socket: WebSocket) -> None:
        await socket.accept()
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(FEED_QUEUE_LIMIT)

        def enqueue(record: dict[str, Any]) -> None:
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(record)

        if recorder is not None:
            # History and subscription in one step: nothing is missed or sent twice.
            history, unsubscribe = recorder.feed_since(enqueue)
            session = recorder.session.id if recorder.session is not None else None
        else:
            history, session = [], None

            def live(event: HubEvent) -> None:
                if not isinstance(event, HeartRate):
                    enqueue({**event_json(event), "time": time.time()})

            unsubscribe = bus.subscribe(live)
        wearers = list(recorder.wearers) if recorder is not None else []
        await socket.send_json(
            {"type": "history", "session": session, "wearers": wearers, "events": history}
        )

        async def push() -> None:
            while True:
                await socket.send_json(await queue.get())

        pusher = asyncio.create_task(push())
        try:
            while True:
                await socket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            unsubscribe()
            pusher.cancel()
            await asyncio.gather(pusher, return_exceptions=True)

    return router
