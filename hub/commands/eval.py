"""``comfort-hub eval``: how well the tap detector does, on synthetic taps and real motion."""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from hub.commands._help import add_command
from hub.lab._evaluation import (
    FALSE_SIGNALS_PER_HOUR_TARGET,
    HRV_AGREEMENT_TARGET,
    RECALL_TARGETS,
    SAMPLES_PER_SECOND_TARGET,
    Evaluation,
    HeartRow,
    MotionRow,
    RecallRow,
    evaluate,
)
from hub.lab._motion import MotionFolderError, shipped_motion_folder
from hub.lab._motion_eval import MotionEvaluation, evaluate_motion
from hub.lab._motion_report import motion_json, motion_lines, progress_printer


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "eval",
        help="measure the signal processing: tap recall, false signals, heart-rate figures",
        description=(
            "Lays synthetic tap patterns (with ground truth) over the real everyday motion "
            "shipped with the hub and reports the recall of tap patterns per rate and per "
            "file; then runs the detector over the real recordings at their own rate and "
            "over synthetic vigorous movement, where every signal is false, and reports "
            "false signals per hour per file and overall; then the detector's throughput, "
            "and heart-rate figures on an hour of real beats against neurokit2's. "
            "With --motion DIR, only the false signals on a folder of real motion "
            "(a manifest.json lists each CSV with its rate, units, placement and activity), "
            "per placement, per activity and overall, with the worst files. "
            "Figures, not a pass/fail test."
        ),
        examples=[
            "comfort-hub eval",
            "comfort-hub eval --seeds 10 --json > figures.json",
            "comfort-hub eval --motion ~/recordings/motion-100hz   # your own everyday motion",
        ],
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=3,
        metavar="N",
        help="how many different synthetic corpora to lay over the motion (default 3)",
    )
    parser.add_argument(
        "--motion",
        type=Path,
        metavar="DIR",
        help=(
            "a folder of real motion without deliberate taps, described by its manifest.json "
            "(such as motion-100hz): report only the false signals on it"
        ),
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.seeds < 1:
        print("comfort-hub eval: --seeds must be at least 1", file=sys.stderr)
        return 2
    folder = args.motion or shipped_motion_folder()
    try:
        motion = evaluate_motion(folder, progress=progress_printer())
    except MotionFolderError as error:
        print(f"comfort-hub eval: {error}", file=sys.stderr)
        return 2
    if args.motion is not None:
        print(json.dumps(motion_json(motion), indent=2) if args.json else _motion_text(motion))
        return 0
    evaluation = evaluate(
        seeds=range(1, args.seeds + 1),
        progress=lambda step: print(f"... {step}", file=sys.stderr, flush=True),
    )
    if args.json:
        print(json.dumps({**_as_json(evaluation), "real_motion": motion_json(motion)}, indent=2))
    else:
        _print_report(evaluation, args.seeds)
        print()
        print(_motion_text(motion))
    return 0


def _motion_text(motion: MotionEvaluation) -> str:
    return "\n".join(motion_lines(motion))


def _print_report(evaluation: Evaluation, seeds: int) -> None:
    print(f"Tap patterns recalled: synthetic taps over real motion ({seeds} corpora)")
    _table(
        ["RATE", "FILE", "PATTERNS", "RECALLED", "RECALL", "TAPS FOUND", "FALSE SIGNALS"],
        [_recall_cells(rows, name) for name, rows in _by_rate_and_file(evaluation.recall)],
    )
    print()
    for rate, target in RECALL_TARGETS.items():
        recalled, tapped = evaluation.recall_at(rate)
        share = recalled / tapped if tapped else 0.0
        verdict = "met" if share >= target else "NOT MET"
        print(f"Target: recall >= {target:.0%} at {rate:g} Hz: {share:.2%} ({verdict})")
    print()
    print("False signals on everyday motion (no deliberate taps in it)")
    rows = [*evaluation.real_motion, *evaluation.vigorous]
    _table(
        ["SOURCE", "FILE", "RATE", "MINUTES", "TAPS", "SIGNALS", "SIGNALS/HOUR"],
        [
            *[_motion_cells("real", row) for row in evaluation.real_motion],
            _motion_cells("real", _total("overall", evaluation.real_motion)),
            *[_motion_cells("synthetic", row) for row in evaluation.vigorous],
            _motion_cells("synthetic", _total("overall", evaluation.vigorous)),
            _motion_cells("all", _total("overall", rows)),
        ],
    )
    real = _total("overall", evaluation.real_motion)
    verdict = "met" if real.signals_per_hour <= FALSE_SIGNALS_PER_HOUR_TARGET else "NOT MET"
    print()
    print(
        f"Target: <= {FALSE_SIGNALS_PER_HOUR_TARGET} false signals/hour on real motion: "
        f"{real.signals_per_hour:.2f} over {real.duration_s / 3600:.2f} h ({verdict})"
    )
    print()
    rate = evaluation.samples_per_second
    verdict = "met" if rate >= SAMPLES_PER_SECOND_TARGET else "NOT MET"
    print(
        f"Target: >= {SAMPLES_PER_SECOND_TARGET:,} samples/s on one core: "
        f"{rate:,.0f} ({verdict}; streaming costs: comfort-hub bench detect)"
    )
    print()
    _print_heart(evaluation)


def _print_heart(evaluation: Evaluation) -> None:
    print("Heart rate: five-minute windows of an hour of real normal beats (pyhrv-nn)")
    _table(
        ["FROM", "BEATS", "DROPPED", "MEAN NN", "REFERENCE", "RMSSD", "REFERENCE"],
        [_heart_cells(row) for row in evaluation.heart],
    )
    print()
    if evaluation.heart_reference_missing is not None:
        print(f"Target: not compared, {evaluation.heart_reference_missing}")
        return
    worst = max((row.largest_difference or 0.0) for row in evaluation.heart)
    verdict = "met" if worst <= HRV_AGREEMENT_TARGET else "NOT MET"
    print(
        f"Target: mean NN and RMSSD within {HRV_AGREEMENT_TARGET:.0%} of neurokit2's: "
        f"largest difference {worst:.4%} ({verdict})"
    )


def _heart_cells(row: HeartRow) -> list[str]:
    def ms(value: float | None) -> str:
        return f"{value:.1f} ms" if value is not None else "-"

    return [
        f"{row.start_s / 60:.0f} min",
        str(row.beats),
        str(row.dropped),
        ms(row.mean_nn_ms),
        ms(row.reference_mean_nn_ms),
        ms(row.rmssd_ms),
        ms(row.reference_rmssd_ms),
    ]


def _by_rate_and_file(rows: list[RecallRow]) -> list[tuple[str, list[RecallRow]]]:
    groups: dict[tuple[float, str], list[RecallRow]] = defaultdict(list)
    for row in rows:
        groups[(row.rate_hz, row.motion)].append(row)
        groups[(row.rate_hz, "overall")].append(row)
    ordered = sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] == "overall"))
    return [(name, group) for (_, name), group in ordered]


def _recall_cells(rows: list[RecallRow], name: str) -> list[str]:
    patterns = sum(r.score.patterns for r in rows)
    recalled = sum(r.score.recalled for r in rows)
    taps = sum(r.score.taps for r in rows)
    found = sum(r.score.taps_found for r in rows)
    share = recalled / patterns if patterns else 0.0
    return [
        f"{rows[0].rate_hz:g} Hz",
        name,
        str(patterns),
        str(recalled),
        f"{share:.2%}",
        f"{found}/{taps}",
        str(sum(r.score.false_signals for r in rows)),
    ]


def _total(name: str, rows: list[MotionRow]) -> MotionRow:
    return MotionRow(
        name=name,
        rate_hz=0.0,
        duration_s=sum(r.duration_s for r in rows),
        taps=sum(r.taps for r in rows),
        signals=sum(r.signals for r in rows),
    )


def _motion_cells(source: str, row: MotionRow) -> list[str]:
    return [
        source,
        row.name,
        f"{row.rate_hz:g} Hz" if row.rate_hz else "-",
        f"{row.duration_s / 60:.1f}",
        str(row.taps),
        str(row.signals),
        f"{row.signals_per_hour:.2f}",
    ]


def _table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(cells[i]) for cells in [header, *rows]) for i in range(len(header))]
    for cells in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)))


def _as_json(evaluation: Evaluation) -> dict[str, object]:
    recall: dict[str, object] = {}
    for rate in sorted({row.rate_hz for row in evaluation.recall}):
        rows = [row for row in evaluation.recall if row.rate_hz == rate]
        recalled, tapped = evaluation.recall_at(rate)
        recall[f"{rate:g}"] = {
            "patterns": tapped,
            "recalled": recalled,
            "recall": recalled / tapped if tapped else None,
            "false_signals": sum(r.score.false_signals for r in rows),
            "files": {
                name: {
                    "patterns": sum(r.score.patterns for r in group),
                    "recalled": sum(r.score.recalled for r in group),
                }
                for name, group in _by_rate_and_file(rows)
                if name != "overall"
            },
        }
    return {
        "samples_per_second": round(evaluation.samples_per_second),
        "heart": {
            "reference_missing": evaluation.heart_reference_missing,
            "windows": [
                {
                    "start_s": row.start_s,
                    "beats": row.beats,
                    "dropped": row.dropped,
                    "mean_nn_ms": row.mean_nn_ms,
                    "rmssd_ms": row.rmssd_ms,
                    "reference_mean_nn_ms": row.reference_mean_nn_ms,
                    "reference_rmssd_ms": row.reference_rmssd_ms,
                }
                for row in evaluation.heart
            ],
        },
        "recall": recall,
        "false_signals": {
            "real": [_motion_json(row) for row in evaluation.real_motion],
            "real_overall": _motion_json(_total("overall", evaluation.real_motion)),
            "synthetic_vigorous": [_motion_json(row) for row in evaluation.vigorous],
        },
    }


def _motion_json(row: MotionRow) -> dict[str, object]:
    return {
        "file": row.name,
        "rate_hz": row.rate_hz or None,
        "duration_s": round(row.duration_s, 1),
        "taps": row.taps,
        "signals": row.signals,
        "signals_per_hour": round(row.signals_per_hour, 3),
    }
