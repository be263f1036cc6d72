"""``comfort-hub eval``: the figures a user reads."""

from __future__ import annotations

import json

import pytest

from hub.cli import main


def test_eval_reports_recall_per_rate_and_false_signals_per_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["eval", "--seeds", "1", "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert "real everyday motion at its own rate" in captured.err  # progress as it goes
    assert set(report["recall"]) == {"25", "50", "100", "200"}
    for rate in ("50", "100", "200"):
        figures = report["recall"][rate]
        assert figures["patterns"] > 50
        assert sum(f["patterns"] for f in figures["files"].values()) == figures["patterns"]
    assert report["recall"]["100"]["recall"] >= 0.99
    assert report["recall"]["50"]["recall"] >= 0.95
    real = report["false_signals"]["real"]
    assert {row["file"] for row in real} == {
        "garmin-acc.csv#1",
        "garmin-acc.csv#2",
        "garmin-acc.csv#3",
        "empatica-acc.csv",
    }
    assert {row["rate_hz"] for row in real} == {25.0, 32.0}  # played at their own rate
    overall = report["false_signals"]["real_overall"]
    assert overall["duration_s"] == pytest.approx(sum(row["duration_s"] for row in real), 0.01)
    assert overall["signals"] == 0
    shipped = report["real_motion"]  # the slice of real motion at 100-125 Hz
    assert shipped["overall"]["files"] == 10
    assert shipped["overall"]["signals"] == 0
    assert {p["name"] for p in shipped["placements"]} == {"wrist", "waist", "waist/hip"}
    kinds = {row["file"] for row in report["false_signals"]["synthetic_vigorous"]}
    assert kinds == {"jogging", "brushing_teeth", "massage_strokes", "picking_up"}
    assert report["samples_per_second"] > 0
    heart = report["heart"]
    assert heart["reference_missing"] is None  # neurokit2 comes with the dev tools
    assert len(heart["windows"]) == 11
    for window in heart["windows"]:
        assert window["rmssd_ms"] == pytest.approx(window["reference_rmssd_ms"], rel=0.01)
        assert window["mean_nn_ms"] == pytest.approx(window["reference_mean_nn_ms"], rel=0.01)


def test_eval_table_states_each_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--seeds", "1"]) == 0
    out = capsys.readouterr().out
    assert "Target: recall >= 95% at 50 Hz:" in out
    assert "Target: recall >= 99% at 100 Hz:" in out
    assert "Target: <= 0.1 false signals/hour on real motion: 0.00" in out
    assert "Target: >= 1,000,000 samples/s on one core:" in out
    assert "Target: mean NN and RMSSD within 1% of neurokit2's: largest difference" in out
    assert "Target: <= 0.1 false signals/hour on real motion: 0.00 (0 in 1.10 h; met)" in out
