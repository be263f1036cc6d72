"""The timeline picture's labels never overlap, however close together the events were."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg

from hub.store import EventStore
from hub.timeline import build_timeline, draw_timeline


def busy_session(data_dir: Path, bursts: int) -> EventStore:
    """Bursts of events milliseconds apart, as a session has them: a wearable connecting,
    a stop and its re-alert and ack, a link lost and the pause it causes; and shared answers
    about the stops, one per wearer."""
    store = EventStore.open(data_dir)
    store.start_session("our-room", ("alex", "sam"), started_by="test")
    at = time.time() - bursts * 60  # the bursts led up to now, when the session ends
    for burst in range(bursts):
        stop = f"stop{burst}"
        moments: list[tuple[str, dict[str, object], str]] = [
            ("link", {"state": "connected"}, "alex"),
            ("link", {"state": "connected"}, "sam"),
            ("signal", {"signal": "stop", "id": stop, "source": "button"}, "alex"),
            ("realert", {"count": 2, "id": stop}, "sam"),
            ("ack", {"id": stop, "by": "sam"}, "sam"),
            ("link", {"state": "lost"}, "sam"),
            ("signal", {"signal": "pause", "id": f"link{burst}", "source": "link"}, "sam"),
            ("signal", {"signal": "resume", "id": f"resume{burst}", "source": "button"}, "alex"),
        ]
        for step, (kind, data, wearer) in enumerate(moments):
            store.record(kind, data, wearer=wearer, at=at + burst * 60 + step * 0.004)
        for wearer in ("alex", "sam"):
            shared = {"about": stop, "felt_good": f"{wearer} felt heard when the stop came"}
            store.record("feedback", {"shared": shared}, wearer=wearer, at=at + burst * 60 + 1)
        for second in range(0, 60, 5):
            store.record_heart("alex", at + burst * 60 + second, 70.0 + second % 7)
    store.flush()
    return store


def label_overlaps(bursts: int, data_dir: Path) -> list[str]:
    store = busy_session(data_dir, bursts)
    try:
        figure = draw_timeline(build_timeline(store, "latest"))
    finally:
        store.close()
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    picture = figure.bbox
    texts = [text for axes in figure.axes for text in axes.texts]
    assert len(texts) >= bursts * 10, "every event and shared answer is labelled"
    boxes = [(text.get_text(), text.get_window_extent(renderer)) for text in texts]
    problems = [f"{a!r} overlaps {b!r}" for (a, one), (b, other) in itertools.combinations(boxes, 2)
                if one.overlaps(other)]  # fmt: skip
    problems += [f"{name!r} is cut off" for name, box in boxes if not picture.contains(*box.p0)]
    return problems


def test_labels_of_events_milliseconds_apart_stand_apart(tmp_path: Path) -> None:
    assert label_overlaps(3, tmp_path) == []


def test_a_long_busy_session_widens_the_picture_rather_than_piling_labels(tmp_path: Path) -> None:
    assert label_overlaps(40, tmp_path) == []
