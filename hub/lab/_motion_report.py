"""How ``comfort-hub eval`` shows false signals on real motion: tables, JSON, progress."""

from __future__ import annotations

import sys
from typing import TextIO

from hub.lab._evaluation import FALSE_SIGNALS_PER_HOUR_TARGET
from hub.lab._motion_eval import MotionEvaluation, MotionFileResult, MotionGroup, Progress


def motion_lines(evaluation: MotionEvaluation) -> list[str]:
    overall = evaluation.overall
    lines = [
        f"False signals on real motion in {evaluation.folder} "
        f"({overall.files} files, {overall.duration_s / 3600:.2f} h, no deliberate taps in it)",
    ]
    for title, groups in (
        ("PLACEMENT", evaluation.by_placement()),
        ("ACTIVITY", evaluation.by_activity()),
    ):
        lines += ["", *_table([title, *_GROUP_HEADER], [_group_cells(g) for g in groups])]
    lines += ["", *_table(["", *_GROUP_HEADER], [_group_cells(overall)])]
    worst = evaluation.worst()
    lines.append("")
    if worst:
        lines.append("Worst files (false taps, at seconds from the file's start):")
        lines += [_worst_line(result) for result in worst]
    else:
        lines.append("No file made a false tap.")
    verdict = "met" if overall.signals_per_hour <= FALSE_SIGNALS_PER_HOUR_TARGET else "NOT MET"
    lines += [
        "",
        f"Target: <= {FALSE_SIGNALS_PER_HOUR_TARGET} false signals/hour on real motion: "
        f"{overall.signals_per_hour:.2f} ({overall.signals} in {overall.duration_s / 3600:.2f} h;"
        f" {verdict})",
    ]
    return lines


def motion_json(evaluation: MotionEvaluation) -> dict[str, object]:
    return {
        "folder": str(evaluation.folder),
        "overall": _group_json(evaluation.overall),
        "placements": [_group_json(g) for g in evaluation.by_placement()],
        "activities": [_group_json(g) for g in evaluation.by_activity()],
        "worst": [
            {
                "file": r.entry.file,
                "rate_hz": r.entry.rate_hz,
                "taps": [round(t, 3) for t in r.tap_times],
                "signals": [{"at": round(s.at, 3), "signal": s.signal.value} for s in r.signals],
            }
            for r in evaluation.worst()
        ],
    }


def progress_printer(out: TextIO | None = None) -> Progress:
    """One line rewritten in place on a terminal; a line now and then anywhere else.
    Standard error by default, as it is when the printer is made."""
    stream = out or sys.stderr
    on_terminal = stream.isatty()

    def show(done: int, total: int, file: str) -> None:
        if on_terminal:
            text = f"reading {done + 1}/{total}: {file}" if file else f"read {total} files"
            stream.write(f"\r\033[K... {text}" + ("" if file else "\n"))
            stream.flush()
        elif file and (done == 0 or (done * 10) // total != ((done - 1) * 10) // total):
            print(f"... real motion: file {done + 1} of {total} ({file})", file=stream, flush=True)

    return show


_GROUP_HEADER = ["FILES", "HOURS", "FALSE TAPS", "FALSE SIGNALS", "SIGNALS/HOUR"]


def _group_cells(group: MotionGroup) -> list[str]:
    return [
        group.name,
        str(group.files),
        f"{group.duration_s / 3600:.2f}",
        str(group.taps),
        str(group.signals),
        f"{group.signals_per_hour:.2f}",
    ]


def _group_json(group: MotionGroup) -> dict[str, object]:
    return {
        "name": group.name,
        "files": group.files,
        "duration_s": round(group.duration_s, 1),
        "taps": group.taps,
        "signals": group.signals,
        "signals_per_hour": round(group.signals_per_hour, 3),
    }


def _worst_line(result: MotionFileResult) -> str:
    taps = ", ".join(f"{t:.2f}" for t in result.tap_times)
    made = ", ".join(f"{s.signal.value} at {s.at:.2f}" for s in result.signals) or "no signal"
    return f"  {result.entry.file} ({result.entry.rate_hz:g} Hz): taps at {taps}; {made}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(cells[i]) for cells in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
        for cells in [header, *rows]
    ]
