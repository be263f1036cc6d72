"""Every parser, fed arbitrary bytes, either decodes them or raises MalformedPayload.

Nothing else may escape: a parser that raised IndexError or ValueError on a garbled
notification would take the link (and the wearer's signals) down with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_bridge import MalformedPayload
from firmware_bridge.bangle import LineAssembler, parse_watch_line
from firmware_bridge.heart_rate import parse_body_sensor_location, parse_heart_rate_measurement
from firmware_bridge.immediate_alert import parse_alert_level
from firmware_bridge.microbit import parse_acceleration, parse_button_state
from firmware_bridge.pinetime import parse_call_response, parse_music_event, parse_new_alert
from firmware_bridge.polar import (
    acceleration_in_g,
    parse_control_point,
    parse_features,
    parse_pmd_frame,
    parse_settings,
)

EXAMPLES = settings(max_examples=200, deadline=None)

BYTE_PARSERS: dict[str, Callable[[bytes], object]] = {
    "heart rate measurement": parse_heart_rate_measurement,
    "body sensor location": parse_body_sensor_location,
    "PMD control point": parse_control_point,
    "PMD features": parse_features,
    "PMD settings": parse_settings,
    "PMD frame": parse_pmd_frame,
    "alert level": parse_alert_level,
    "InfiniTime music event": parse_music_event,
    "InfiniTime call response": parse_call_response,
    "InfiniTime new alert": parse_new_alert,
    "micro:bit button": parse_button_state,
    "micro:bit acceleration": parse_acceleration,
    "Bangle.js line": parse_watch_line,
}


def only_malformed(parse: Callable[[bytes], object], data: bytes) -> object | None:
    """Runs ``parse``; a MalformedPayload must name the very bytes and a place inside them."""
    try:
        return parse(data)
    except MalformedPayload as error:
        assert error.data == data
        assert error.offset is None or 0 <= error.offset <= len(data)
        return None


@EXAMPLES
@given(parser=st.sampled_from(sorted(BYTE_PARSERS)), data=st.binary(max_size=300))
def test_any_bytes_to_any_parser(parser: str, data: bytes) -> None:
    only_malformed(BYTE_PARSERS[parser], data)


@EXAMPLES
@given(flags=st.integers(0, 255), body=st.binary(max_size=40))
def test_heart_rate_measurements_with_every_flag_combination(flags: int, body: bytes) -> None:
    measurement = only_malformed(parse_heart_rate_measurement, bytes([flags]) + body)
    if measurement is not None:
        assert all(rr >= 0 for rr in measurement.rr_ms)  # type: ignore[attr-defined]


@EXAMPLES
@given(
    frame_type=st.sampled_from([0x00, 0x01, 0x02, 0x03, 0x80, 0x81, 0x82]),
    timestamp=st.integers(0, 2**64 - 1),
    body=st.binary(max_size=240),
    resolution=st.integers(1, 32),
    factor=st.floats(1e-6, 1.0),
)
def test_acceleration_frames_decode_to_finite_g_or_are_malformed(
    frame_type: int, timestamp: int, body: bytes, resolution: int, factor: float
) -> None:
    data = bytes([2]) + timestamp.to_bytes(8, "little") + bytes([frame_type]) + body

    def parse(raw: bytes) -> object:
        return parse_pmd_frame(raw, resolution_bits=resolution)

    frame = only_malformed(parse, data)
    if frame is not None:
        xyz = acceleration_in_g(frame, factor)  # type: ignore[arg-type]
        assert xyz.shape[1] == 3 and np.isfinite(xyz).all()


@EXAMPLES
@given(st.lists(st.binary(max_size=80), max_size=12))
def test_line_assembler_gives_back_the_lines_however_they_were_cut(
    fragments: list[bytes],
) -> None:
    lines = LineAssembler(max_line_bytes=64)
    got: list[bytes] = []
    dropped_any = False
    for fragment in fragments:
        complete, dropped = lines.feed(fragment)
        got += complete
        dropped_any = dropped_any or bool(dropped)
        for line in complete:
            only_malformed(parse_watch_line, line)
    if not dropped_any:
        whole = b"".join(fragments).split(b"\n")[:-1]
        assert got == [line.rstrip(b"\r") for line in whole if line.strip()]


@EXAMPLES
@given(
    kind=st.sampled_from(["tap", "btn", "hrm", "hb", "other"]),
    fields=st.dictionaries(
        st.sampled_from(["dir", "double", "long", "ms", "bpm", "confidence"]),
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text()),
    ),
)
def test_app_shaped_json_of_any_content(kind: str, fields: dict[str, object]) -> None:
    line = json.dumps({"t": kind, **fields}).encode()
    only_malformed(parse_watch_line, line)
