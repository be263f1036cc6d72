"""What the pair agreed and said: confirmations, the shared plan and its changes, feedback.

Kept here, in memory and (when given a path) in one JSON file readable by the hub's user only,
until the hub's event store can hold it: :class:`PracticeRecords` is the seam, and everything
else reaches this data only through its methods. Nothing here is a contract, and nothing of it
leaves the hub. A private feedback answer is returned to its author and to nobody else.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Room for a few honest sentences; a limit so a page cannot fill the hub's disk.
TEXT = Field(default="", max_length=1000)
# ``<pair>-practice.json`` in the hub's data directory; the suffix finds every pair's file.
FILE_SUFFIX = "-practice.json"


def practice_file(data_dir: Path, pair: str) -> Path:
    """Where the pair's practice records are kept."""
    return data_dir / f"{pair}{FILE_SUFFIX}"


def practice_files(data_dir: Path) -> list[Path]:
    """Every pair's practice file in ``data_dir``, and a half-written one a crash left."""
    if not data_dir.is_dir():
        return []
    stem = FILE_SUFFIX.removesuffix(".json")
    return sorted(
        path
        for path in data_dir.iterdir()
        if path.name.endswith(FILE_SUFFIX) or path.name.endswith(f"{stem}.tmp")
    )


class SharedPlan(BaseModel):
    """What the pair may plan together; every field may stay empty."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    intention: Literal["", "relaxation", "exploration", "intimacy"] = ""
    who_leads: str = TEXT
    music_and_lighting: str = TEXT
    clothing: str = TEXT
    oils_and_allergies: str = TEXT
    private_areas: str = TEXT
    safeword: str = TEXT


class PlanChange(BaseModel):
    by: str
    at: datetime
    changes: dict[str, str]


class Feedback(BaseModel):
    """One wearer's answers after a session; ``share`` says whether the partner may see them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    felt_good: str = TEXT
    to_change: str = TEXT
    comfort: int = Field(ge=1, le=5)
    share: bool = False
    # The moment the answers are about: a signal id of the session, or empty for all of it.
    about: str = Field(default="", max_length=64)

    def answers(self) -> dict[str, str | int]:
        return {
            "felt_good": self.felt_good,
            "to_change": self.to_change,
            "comfort": self.comfort,
            "about": self.about,
        }


class _Saved(BaseModel):
    confirmed: dict[str, datetime] = {}
    plan: SharedPlan = SharedPlan()
    plan_changes: list[PlanChange] = []
    feedback: dict[str, Feedback] = {}


class PracticeRecords:
    def __init__(self, pair: tuple[str, str], path: Path | None = None) -> None:
        self.pair = pair
        self.path = path
        self._data = _Saved()
        if path is not None and path.exists():
            try:
                self._data = _Saved.model_validate_json(path.read_bytes())
            except ValueError as error:
                raise ValueError(f"{path}: not a practice record: {error}") from None

    def partner_of(self, wearer: str) -> str:
        first, second = self.pair
        return second if wearer == first else first

    # -- agreement ----------------------------------------------------------------------

    def confirmed(self, wearer: str) -> datetime | None:
        return self._data.confirmed.get(wearer)

    def both_confirmed(self) -> bool:
        return all(name in self._data.confirmed for name in self.pair)

    def confirm(self, wearer: str) -> None:
        self._data.confirmed[wearer] = datetime.now(UTC)
        self._save()

    # -- the shared plan ----------------------------------------------------------------

    @property
    def plan(self) -> SharedPlan:
        return self._data.plan

    @property
    def plan_changes(self) -> list[PlanChange]:
        return list(self._data.plan_changes)

    def change_plan(self, by: str, new: SharedPlan, fields: set[str]) -> dict[str, str]:
        """Takes the ``fields`` of ``new`` that differ; returns them (field: new value)."""
        old = self._data.plan.model_dump()
        wanted = new.model_dump()
        changes = {name: wanted[name] for name in sorted(fields) if wanted[name] != old[name]}
        if changes:
            self._data.plan = SharedPlan.model_validate({**old, **changes})
            self._data.plan_changes.append(PlanChange(by=by, at=datetime.now(UTC), changes=changes))
            self._save()
        return changes

    # -- feedback -------------------------------------------------------------------------

    def give_feedback(self, wearer: str, feedback: Feedback) -> None:
        self._data.feedback[wearer] = feedback
        self._save()

    def feedback_seen_by(self, viewer: str) -> dict[str, dict[str, object] | None]:
        """What ``viewer`` may see: all of their own answers, the partner's only if shared."""
        own = self._data.feedback.get(viewer)
        theirs = self._data.feedback.get(self.partner_of(viewer))
        return {
            "own": own.model_dump() if own is not None else None,
            "partner": {**theirs.answers()} if theirs is not None and theirs.share else None,
        }

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        # 0600 from the first byte: these are the pair's own words.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(self._data.model_dump_json(indent=1).encode())
        temporary.replace(self.path)
