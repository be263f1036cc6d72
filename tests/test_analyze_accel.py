"""``comfort-hub analyze-accel``: a CSV of acceleration in, taps and signals out as JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from hub.cli import main
from signals import lay_tap

RATE = 100.0


def _recording_with_stop(seconds: float = 8.0) -> np.ndarray:
    """A still wrist in g with a four-tap pattern (a stop) starting at 3 s."""
    rng = np.random.default_rng(2)
    samples = np.tile([0.05, 0.3, -0.95], (round(RATE * seconds), 1))
    samples = samples + rng.normal(0.0, 0.004, samples.shape)
    for at in (3.0, 3.3, 3.6, 3.9):
        lay_tap(samples, RATE, at, width_s=0.015, peak_g=2.5)
    return samples


def _analyse(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["analyze-accel", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_a_header_csv_in_g_gives_taps_and_the_stop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "wrist.csv"
    rows = ["time,x,y,z"] + [
        f"{i / RATE:.2f},{x:.5f},{y:.5f},{z:.5f}"
        for i, (x, y, z) in enumerate(_recording_with_stop())
    ]
    path.write_text("\n".join(rows) + "\n")
    status, out, _ = _analyse(capsys, str(path), "--rate", "100")
    assert status == 0
    report = json.loads(out)
    assert report["taps"] == pytest.approx([3.0, 3.3, 3.6, 3.9], abs=0.015)
    assert [s["signal"] for s in report["signals"]] == ["slow_down", "pause", "stop"]
    assert report["signals"][-1]["at"] == pytest.approx(3.9, abs=0.015)
    assert report["duration_s"] == 8.0
    assert report["columns"] == ["2 (x)", "3 (y)", "4 (z)"]


def test_milli_g_with_semicolons_and_chosen_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Garmin export's layout: ISO time;x;y;z in milli-g, no header."""
    path = tmp_path / "garmin.csv"
    samples = _recording_with_stop() * 1000
    path.write_text(
        "".join(
            f"2019-10-16T12:09:{i / RATE:06.3f}+02:00;{x:.1f};{y:.1f};{z:.1f}\n"
            for i, (x, y, z) in enumerate(samples)
        )
    )
    status, out, _ = _analyse(
        capsys, str(path), "--rate", "100", "--units", "mg", "--columns", "2,3,4"
    )
    assert status == 0
    assert [s["signal"] for s in json.loads(out)["signals"]] == ["slow_down", "pause", "stop"]
    # The same numbers read as g are a wrist thrown about: nothing deliberate in them.
    status, out, _ = _analyse(capsys, str(path), "--rate", "100", "--columns", "2,3,4")
    assert json.loads(out)["signals"] == []


def test_metres_per_second_squared_after_skipped_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "phone.csv"
    samples = _recording_with_stop() * 9.80665
    path.write_text(
        "1560279825.0,1560279825.0,1560279825.0\n100.0,100.0,100.0\n"
        + "".join(f"{x:.4f},{y:.4f},{z:.4f}\n" for x, y, z in samples)
    )
    status, out, _ = _analyse(
        capsys, str(path), "--rate", "100", "--units", "mps2", "--skip-rows", "2"
    )
    assert status == 0
    assert json.loads(out)["taps"] == pytest.approx([3.0, 3.3, 3.6, 3.9], abs=0.015)


@pytest.mark.parametrize(
    ("content", "argv", "message"),
    [
        (
            "x,y,z\n0.1,0.2,-0.9\n0.1,abc,-0.9\n",
            [],
            r"wrist\.csv, line 3, column 2 \(y\): 'abc' is not a number",
        ),
        ("x,y,z\n0.1,0.2,-0.9\n0.1,0.2\n", [], r"wrist\.csv, line 3: has 2 fields where"),
        ("0.1;0.2;-0.9\n0.1;0.2;nan\n", [], r"wrist\.csv, line 2, column 3: 'nan' is not a"),
        ("x,y,z\n0.1,0.2,-0.9\n", ["--columns", "x,y,w"], r"no column named 'w'; its header"),
        ("1,2,3\n", ["--columns", "1,2,9"], r"column 9 does not exist: the file has 3"),
        ("x,y,z\n", [], r"wrist\.csv: holds a header but no samples"),
        ("a,b\n1,2\n", [], r"has 2 column\(s\); acceleration needs three"),
        ("1,2,3\n", ["--rate", "5"], r"--rate must be between 25 and 1000 Hz, got 5"),
    ],
)
def test_bad_input_is_named_by_file_line_and_column(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    argv: list[str],
    message: str,
) -> None:
    path = tmp_path / "wrist.csv"
    path.write_text(content)
    rate = [] if "--rate" in argv else ["--rate", "100"]
    status, out, err = _analyse(capsys, str(path), *rate, *argv)
    assert status == 2
    assert out == ""
    assert err.startswith("comfort-hub analyze-accel: ")
    assert re.search(message, err), err


def test_a_missing_or_binary_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = _analyse(capsys, str(tmp_path / "nope.csv"), "--rate", "100")
    assert status == 2
    assert "nope.csv: cannot read the file (No such file or directory)" in err
    binary = tmp_path / "watch.bin"
    binary.write_bytes(b"x,y,z\n\xff\xfe\x00")
    status, _, err = _analyse(capsys, str(binary), "--rate", "100")
    assert status == 2
    assert "watch.bin: not a text file (byte 6 is not UTF-8)" in err


def test_an_unknown_unit_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["analyze-accel", "any.csv", "--rate", "100", "--units", "furlongs"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'furlongs'" in capsys.readouterr().err
