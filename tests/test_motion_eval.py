"""False signals on real motion: the shipped slice of motion-100hz, and ``eval --motion``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hub.cli import main
from hub.lab._motion import MotionEntry, read_manifest, read_recording, shipped_motion_folder
from signals import detect_taps, lay_tap, signals_from_taps


@pytest.mark.parametrize(
    "entry", read_manifest(shipped_motion_folder()), ids=lambda entry: entry.file
)
def test_real_motion_at_100_hz_makes_no_false_signal(entry: MotionEntry) -> None:
    # These files hold the knocks that fooled the detector before (a device being handled,
    # a knock ringing on a resting device): none of them may make a signal.
    samples = read_recording(shipped_motion_folder(), entry)
    taps = detect_taps(samples, entry.rate_hz)
    assert signals_from_taps(taps) == []


def test_eval_motion_reports_per_placement_activity_and_worst_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    assert main(["eval", "--motion", str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["overall"]["files"] == 2
    assert report["overall"]["duration_s"] == pytest.approx(60.0 + 30.0)
    assert {p["name"] for p in report["placements"]} == {"wrist", "chest"}
    assert {a["name"] for a in report["activities"]} == {"sitting", "knocking"}
    # The knocks on a still device: four firm taps, 0.3 s apart, make a stop there.
    assert report["overall"]["signals"] >= 1
    assert report["worst"][0]["file"] == "chest/knocks.csv"
    assert report["worst"][0]["signals"][-1]["signal"] == "stop"


def test_eval_motion_prints_tables_and_the_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "--motion", str(_folder(tmp_path))]) == 0
    captured = capsys.readouterr()
    assert "PLACEMENT" in captured.out and "ACTIVITY" in captured.out
    assert "chest/knocks.csv (50 Hz)" in captured.out
    assert "Target: <= 0.1 false signals/hour on real motion:" in captured.out
    assert "NOT MET" in captured.out
    assert "file 1 of 2" in captured.err  # progress while it reads


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rate": "fast"}, "entry 1 (chest/knocks.csv): field 'rate' must be a number"),
        ({"rate": 12.5}, "entry 1 (chest/knocks.csv): field 'rate' is 12.5 Hz"),
        ({"units": "furlongs"}, "entry 1 (chest/knocks.csv): field 'units' is 'furlongs'"),
        ({"placement": None}, "entry 1 (chest/knocks.csv): field 'placement' must be"),
    ],
)
def test_a_bad_manifest_names_the_entry_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, object], message: str
) -> None:
    folder = _folder(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest[1].update(change)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert main(["eval", "--motion", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("comfort-hub eval: ") and message in err
    assert "\n" not in err


def test_a_bad_cell_names_the_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    with (folder / "wrist" / "sitting.csv").open("a") as file:
        file.write("0.1,oops,0.9\n")
    assert main(["eval", "--motion", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "sitting.csv, line 3002, column 2 (y): 'oops' is not a number" in err


def test_a_folder_without_manifest_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "--motion", str(tmp_path)]) == 2
    assert f"{tmp_path / 'manifest.json'}: no such file" in capsys.readouterr().err


def _folder(root: Path) -> Path:
    """A minute of a still wrist at 50 Hz, and half a minute of a chest strap at 50 Hz with
    a four-knock burst on it."""
    rng = np.random.default_rng(5)
    (root / "wrist").mkdir()
    (root / "chest").mkdir()
    still = np.tile([0.05, 0.3, -0.95], (3000, 1)) + rng.normal(0.0, 0.004, (3000, 3))
    knocks = np.tile([0.0, -1.0, 0.05], (1500, 1)) + rng.normal(0.0, 0.004, (1500, 3))
    for at in (10.0, 10.3, 10.6, 10.9):
        lay_tap(knocks, 50.0, at, width_s=0.015, peak_g=3.0)
    for path, samples in (("wrist/sitting.csv", still), ("chest/knocks.csv", knocks)):
        lines = ["x,y,z", *(",".join(f"{v:.4f}" for v in row) for row in samples)]
        (root / path).write_text("\n".join(lines) + "\n")
    manifest = [
        {
            "file": "wrist/sitting.csv",
            "rate": 50,
            "units": "g",
            "placement": "wrist (watch)",
            "activity": "sitting",
        },
        {
            "file": "chest/knocks.csv",
            "rate": 50,
            "units": "g",
            "placement": "chest",
            "activity": "knocking: four knocks",
        },
    ]
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root
