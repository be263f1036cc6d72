"""Each wearer's tap calibration, per device, kept in the hub's data directory.

A small JSON file (``tap-calibrations.json`` beside the hub's state database, 0600 in a
0700 directory): for each (wearer, device) the thresholds :func:`signals.calibrate` fitted
to that wearer's taps on that device, how many taps they came from and when. A record
whose thresholds lie outside ``signals.SAFE_BOUNDS`` (a hand-edited file) is refused with
the file, the record and the field named, never used.

Usage (the rehearsal, say)::

    store = TapCalibrations.beside(state_path)
    settings = calibrate(measure_taps(samples, rate, prompts))
    store.save("alex", "Polar H10", settings, taps=12)
    store.settings_for("alex", "Polar H10")  # -> TapDetectorSettings | None
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from signals import SAFE_BOUNDS, CalibrationBounds, TapDetectorSettings

FILE_NAME = "tap-calibrations.json"
# The settings a calibration may change; everything else stays the detector's default.
CALIBRATED = tuple(f.name for f in fields(CalibrationBounds))


class CalibrationFileError(ValueError):
    """The calibration file cannot be used; the message names the file, record and field."""


@dataclass(frozen=True, slots=True)
class TapCalibration:
    wearer: str
    device: str
    settings: TapDetectorSettings
    taps: int
    calibrated_at: datetime


class TapCalibrations:
    def __init__(self, path: Path, bounds: CalibrationBounds = SAFE_BOUNDS) -> None:
        self.path = path
        self._bounds = bounds

    @classmethod
    def beside(cls, state_path: Path) -> TapCalibrations:
        """The store in the same data directory as the hub's state database."""
        return cls(state_path.with_name(FILE_NAME))

    def save(
        self,
        wearer: str,
        device: str,
        settings: TapDetectorSettings,
        *,
        taps: int,
        now: datetime | None = None,
    ) -> TapCalibration:
        record = TapCalibration(wearer, device, settings, taps, now or datetime.now(UTC))
        self._check(_key(wearer, device), settings)
        records = self._read()
        records[_key(wearer, device)] = {
            "wearer": wearer,
            "device": device,
            "taps": taps,
            "calibrated_at": record.calibrated_at.isoformat(),
            "settings": {name: getattr(settings, name) for name in CALIBRATED},
        }
        self._write(records)
        return record

    def load(self, wearer: str, device: str) -> TapCalibration | None:
        key = _key(wearer, device)
        raw = self._read().get(key)
        if raw is None:
            return None
        where = f"{self.path}, record {key!r}"
        try:
            values = {name: float(raw["settings"][name]) for name in CALIBRATED}
            settings = replace(TapDetectorSettings(), **values)
            record = TapCalibration(
                wearer,
                device,
                settings,
                int(raw["taps"]),
                datetime.fromisoformat(raw["calibrated_at"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise CalibrationFileError(f"{where}: unreadable ({error!r})") from None
        self._check(key, settings)
        return record

    def settings_for(self, wearer: str, device: str) -> TapDetectorSettings | None:
        """The wearer's calibrated settings on this device, or None (use the defaults)."""
        record = self.load(wearer, device)
        return record.settings if record is not None else None

    def devices_of(self, wearer: str) -> list[str]:
        """The devices ``wearer`` has a calibration for."""
        return sorted(
            str(raw.get("device"))
            for raw in self._read().values()
            if isinstance(raw, dict) and raw.get("wearer") == wearer
        )

    def forget(self, wearer: str, device: str) -> None:
        records = self._read()
        if records.pop(_key(wearer, device), None) is not None:
            self._write(records)

    def _check(self, key: str, settings: TapDetectorSettings) -> None:
        for name in CALIBRATED:
            low, high = getattr(self._bounds, name)
            value = getattr(settings, name)
            if not low <= value <= high:
                raise CalibrationFileError(
                    f"{self.path}, record {key!r}: {name} = {value:g} is outside the safe "
                    f"bounds {low:g} to {high:g}"
                )

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise CalibrationFileError(f"{self.path}: cannot be read ({error})") from None
        if not isinstance(data, dict):
            raise CalibrationFileError(f"{self.path}: must hold a JSON object of records")
        return data

    def _write(self, records: dict[str, Any]) -> None:
        # Private to the hub's user, and replaced whole so a crash leaves the old file.
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tap-calibrations-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(records, file, indent=2, sort_keys=True)
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _key(wearer: str, device: str) -> str:
    return f"{wearer}/{device}"
