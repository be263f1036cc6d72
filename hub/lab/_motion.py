"""A folder of real motion recordings described by a ``manifest.json``, read file by file.

The manifest is a JSON list with one object per recording: ``file`` (a CSV path relative to
the folder), ``rate`` (Hz), ``units`` (g, mg or mps2), ``placement`` and ``activity``; other
fields (source, licence, ...) are kept for the record but not needed. Each CSV holds three
columns of acceleration, with or without a header (columns named x, y, z are preferred).
Bad input stops with one line naming the file and the field or the cell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hub._accel_csv import AccelCsvError, read_accel_csv
from signals import HIGHEST_RATE_HZ, LOWEST_RATE_HZ, AccelUnit, to_g

FloatArray = npt.NDArray[np.float64]
MANIFEST = "manifest.json"


class MotionFolderError(ValueError):
    """A motion folder that cannot be read; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class MotionEntry:
    """One recording as the manifest describes it."""

    file: str
    rate_hz: float
    unit: AccelUnit
    placement: str
    activity: str

    @property
    def placement_label(self) -> str:
        """The placement without its device detail: "wrist (ActiGraph)" is "wrist"."""
        return self.placement.split(" (")[0].strip()

    @property
    def activity_label(self) -> str:
        """The activity without its detail: "Timed-Up-and-Go sequence: seated > ..." is
        "Timed-Up-and-Go sequence"."""
        return self.activity.split(":")[0].strip()


def shipped_motion_folder() -> Path:
    """The slice of real 100-125 Hz motion shipped with the hub (package data)."""
    return Path(str(resources.files("hub.corpus").joinpath("motion-100hz")))


def read_manifest(folder: Path) -> list[MotionEntry]:
    path = folder / MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MotionFolderError(f"{path}: no such file (a motion folder needs one)") from None
    except OSError as error:
        raise MotionFolderError(f"{path}: cannot read it ({error.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MotionFolderError(f"{path}: not JSON ({error})") from None
    if not isinstance(raw, list) or not raw:
        raise MotionFolderError(f"{path}: must be a non-empty JSON list of recordings")
    return [_entry(path, number, item) for number, item in enumerate(raw)]


def read_recording(folder: Path, entry: MotionEntry) -> FloatArray:
    """The recording's samples in g, ``(n, 3)``."""
    path = folder / entry.file
    try:
        # The fast path for the usual file (header x,y,z, commas); anything else is read
        # cell by cell, which names the bad cell if there is one.
        with path.open(encoding="utf-8") as file:
            header = file.readline().strip().lower().replace(" ", "")
            if header != "x,y,z":
                raise ValueError(header)
            samples = np.loadtxt(file, delimiter=",", ndmin=2, dtype=np.float64)
        if samples.shape[1] != 3 or len(samples) == 0:
            raise ValueError(samples.shape)
    except (ValueError, UnicodeDecodeError, OSError):
        try:
            samples = read_accel_csv(path).samples
        except AccelCsvError as error:
            raise MotionFolderError(str(error)) from None
    return to_g(samples, entry.unit)


def _entry(path: Path, number: int, item: Any) -> MotionEntry:
    where = f"{path}, entry {number}"
    if not isinstance(item, dict):
        raise MotionFolderError(f"{where}: must be an object with file, rate, units, ...")
    where += f" ({item.get('file', '?')})"
    for field in ("file", "rate", "units", "placement", "activity"):
        if field not in item:
            raise MotionFolderError(f"{where}: field {field!r} is missing")
    for field in ("file", "placement", "activity", "units"):
        if not isinstance(item[field], str) or not item[field].strip():
            raise MotionFolderError(f"{where}: field {field!r} must be a non-empty string")
    rate = item["rate"]
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        raise MotionFolderError(f"{where}: field 'rate' must be a number, got {rate!r}")
    if not LOWEST_RATE_HZ <= rate <= HIGHEST_RATE_HZ:
        raise MotionFolderError(
            f"{where}: field 'rate' is {rate:g} Hz; the detector takes "
            f"{LOWEST_RATE_HZ:g} to {HIGHEST_RATE_HZ:g} Hz"
        )
    units = {unit.value for unit in AccelUnit}
    if item["units"] not in units:
        raise MotionFolderError(
            f"{where}: field 'units' is {item['units']!r}; one of {', '.join(sorted(units))}"
        )
    file = item["file"]
    if Path(file).is_absolute() or ".." in Path(file).parts:
        raise MotionFolderError(f"{where}: field 'file' must be a path inside the folder")
    return MotionEntry(
        file=file,
        rate_hz=float(rate),
        unit=AccelUnit(item["units"]),
        placement=item["placement"],
        activity=item["activity"],
    )
