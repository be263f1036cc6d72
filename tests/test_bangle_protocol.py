"""The Bangle.js wire protocol (known answers) and the watch app that speaks it."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from firmware_bridge import MalformedPayload
from firmware_bridge.bangle import (
    BangleDriver,
    LineAssembler,
    WatchButton,
    WatchHeart,
    WatchTap,
    buzz_command,
    parse_watch_line,
    split_for_link,
)
from signals import Pulse


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"t":"tap","dir":"front","double":false}', WatchTap(double=False, direction="front")),
        (b'{"t":"tap","dir":"left","double":true}', WatchTap(double=True, direction="left")),
        (b'{"t":"tap","double":false}', WatchTap(double=False, direction=None)),
        (b'{"t":"btn","long":false,"ms":140}', WatchButton(long=False, held_ms=140)),
        (b'{"t":"btn","long":true,"ms":1520}', WatchButton(long=True, held_ms=1520)),
        (b'{"t":"btn","long":true}', WatchButton(long=True, held_ms=None)),
        (b'{"t":"hrm","bpm":72,"confidence":90}', WatchHeart(bpm=72, confidence=90)),
        (b'{"t":"hrm","bpm":71.6,"confidence":49.5}', WatchHeart(bpm=72, confidence=50)),
        (b'  {"t":"hrm","bpm":60}\r', WatchHeart(bpm=60, confidence=0)),
        # Lines that are not app messages: skipped, not errors.
        (b'{"t":"hb"}', None),
        (b'{"t":"battery","pct":80}', None),
        (b">", None),
        (b"Uncaught Error: Function not found", None),
        (b"[1,2]", None),
    ],
)
def test_watch_lines_known_answers(line: bytes, expected: object) -> None:
    assert parse_watch_line(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        b'{"t":"tap","double":tru',  # cut short
        b'{"t":"tap","double":"yes"}',
        b'{"t":"btn","long":1}',
        b'{"t":"hrm"}',
        b'{"t":"hrm","bpm":"72"}',
        b'{"t":"hrm","bpm":72,"confidence":null}',
        b'{"t":"hrm","bpm":true}',
        b'{"t":"hrm","bpm":-5}',
        b'{"t":"hrm","bpm":Infinity}',
        b'{"t":"hrm","bpm":1e400}',
        b'{"t":"hrm","bpm":NaN}',
        b'{"t":"hrm","bpm":72,"confidence":101}',
        b'{"t":"btn","long":false,"ms":-100}',
        b'{"t":"btn","long":true,"ms":Infinity}',
        b'{"t":"btn","long":false,"ms":"140"}',
        b'{"t":"tap",\xff}',
        b"{}garbage",
    ],
)
def test_broken_app_lines_raise_with_the_line(line: bytes) -> None:
    with pytest.raises(MalformedPayload) as caught:
        parse_watch_line(line)
    assert caught.value.data == line


def test_lines_are_joined_across_notifications_and_overlong_ones_dropped() -> None:
    lines = LineAssembler(max_line_bytes=32)
    assert lines.feed(b'{"t":"tap",') == ([], [])
    assert lines.feed(b'"double":false}\r\n{"t"') == ([b'{"t":"tap","double":false}'], [])
    assert lines.feed(b':"hb"}\n\n') == ([b'{"t":"hb"}'], [])
    complete, dropped = lines.feed(b"x" * 40)
    assert complete == [] and len(dropped) == 1
    assert lines.feed(b"\n") == ([], []), "the overlong line's tail is not a line"
    lines.feed(b'{"t":')
    lines.reset()
    assert lines.feed(b'"hb"}\n') == ([b'"hb"}'], [])


def test_buzz_commands_and_their_split_to_the_link() -> None:
    assert buzz_command(Pulse(150)) == b"\x10Bangle.buzz(150,1)\n"
    assert buzz_command(Pulse(60, strength=0.6)) == b"\x10Bangle.buzz(60,0.6)\n"
    assert buzz_command(Pulse(600, strength=0.85)) == b"\x10Bangle.buzz(600,0.85)\n"
    command = buzz_command(Pulse(1500))  # 21 bytes: one more than a 20-byte write
    pieces = split_for_link(command, 20)
    assert [len(p) for p in pieces] == [20, 1] and b"".join(pieces) == command


# -- the watch app ------------------------------------------------------------------------


def app_file(name: str) -> str:
    return resources.files("firmware_bridge.bangle").joinpath(name).read_text()


def test_the_app_loader_metadata_names_files_that_ship() -> None:
    metadata = json.loads(app_file("metadata.json"))
    assert metadata["supports"] == ["BANGLEJS2"]
    for entry in metadata["storage"]:
        assert app_file(entry["url"]).strip(), entry["url"]
    assert resources.files("firmware_bridge.bangle").joinpath(metadata["icon"]).is_file()


def test_the_app_sends_only_what_the_driver_reads_and_keeps_the_link_alive() -> None:
    app = app_file("comfort.app.js")
    sent_kinds = set(re.findall(r'\bt: "(\w+)"', app))
    assert sent_kinds == {"tap", "btn", "hrm", "hb"}
    heartbeat_ms = int(re.search(r"HEARTBEAT_MS = (\d+);", app)[1])  # type: ignore[index]
    expected_s = BangleDriver.profile.expected_interval_s
    assert expected_s is not None
    assert heartbeat_ms / 1000 * 2 < expected_s, "two heartbeats may go missing, not three"
    assert "NRF.setConnectionInterval(7.5)" in app
    assert "Bangle.setPollInterval(POLL_MS)" in app
