"""What the pair agreed and said: confirmations, the shared plan and its changes, feedback.

Kept in memory and, when given the hub's event store, in it (plan changes and feedback tied
to their session, so erasing the session erases them). :class:`PracticeRecords` is the seam:
everything else reaches this data only through its methods. Nothing here is a contract, and
only the agreement and the plan leave the hub, for the partner's hub. A private feedback
answer is returned to its author and to nobody else.

With two hubs each side carries its own wearer's confirmation and plan changes to the
other (:mod:`hub.practice._sync`); :meth:`PracticeRecords.take_from_partner` keeps what the
partner's hub says. The plan is the sum of every change kept, in the order they were made
(by the time each was made, so both hubs sum them alike whichever they heard first).

Hubs before the event store kept this in ``<pair>-practice.json``; :meth:`PracticeRecords.open`
imports such a file once and removes it.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.store import (
    EventStore,
    forget_confirmation,
    has_practice,
    load_practice,
    save_confirmation,
    save_feedback,
    save_heard_through,
    save_plan_change,
)

log = logging.getLogger(__name__)

# Room for a few honest sentences; a limit so a page cannot fill the hub's disk.
TEXT = Field(default="", max_length=1000)
# ``<pair>-practice.json`` in the hub's data directory; the suffix finds every pair's file.
FILE_SUFFIX = "-practice.json"


def practice_file(data_dir: Path, pair: str) -> Path:
    """Where hubs before the event store kept the pair's practice records."""
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
    """The old JSON file's content, and this class's memory."""

    confirmed: dict[str, datetime] = {}
    plan: SharedPlan = SharedPlan()
    plan_changes: list[PlanChange] = []
    feedback: dict[str, Feedback] = {}
    # A partner hub's wearer -> when the newest plan change of theirs taken was made.
    heard_through: dict[str, datetime] = {}


def summed(changes: list[PlanChange]) -> tuple[list[PlanChange], SharedPlan]:
    """The changes in the order they were made, and the plan they make together."""
    ordered = sorted(changes, key=lambda change: (change.at, change.by))
    plan: dict[str, str] = {}
    for change in ordered:
        plan.update(change.changes)
    return ordered, SharedPlan.model_validate(plan)


class PracticeRecords:
    def __init__(
        self, pair: tuple[str, str], store: EventStore | None = None, *, pair_id: str = ""
    ) -> None:
        """In memory only without ``store``; else in it, under ``pair_id``."""
        self.pair = pair
        self._store = store
        self._pair_id = pair_id
        self._data = _Saved()
        if store is not None:
            self._data = _load(store, pair_id)

    @classmethod
    def open(
        cls, pair: tuple[str, str], store: EventStore, pair_id: str, data_dir: Path
    ) -> PracticeRecords:
        """The pair's records in ``store``, after importing an old practice file once."""
        old = practice_file(data_dir, pair_id)
        if old.exists():
            _import_file(old, store, pair_id)
        return cls(pair, store, pair_id=pair_id)

    def partner_of(self, wearer: str) -> str:
        first, second = self.pair
        return second if wearer == first else first

    # -- agreement ----------------------------------------------------------------------

    def confirmed(self, wearer: str) -> datetime | None:
        return self._data.confirmed.get(wearer)

    def both_confirmed(self) -> bool:
        return all(name in self._data.confirmed for name in self.pair)

    def confirm(self, wearer: str) -> None:
        at = self._data.confirmed[wearer] = datetime.now(UTC)
        if self._store is not None:
            save_confirmation(self._store, self._pair_id, wearer, at.isoformat())

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
            at = datetime.now(UTC)
            if self._data.plan_changes and self._data.plan_changes[-1].at >= at:
                # Made after every change seen, whatever the partner hub's clock said.
                at = self._data.plan_changes[-1].at + timedelta(microseconds=1)
            change = PlanChange(by=by, at=at, changes=changes)
            self._data.plan_changes, self._data.plan = summed([*self._data.plan_changes, change])
            if self._store is not None:
                save_plan_change(
                    self._store, self._pair_id, by, change.at.isoformat(), change.changes
                )
        return changes

    def changes_by(self, wearer: str) -> list[PlanChange]:
        return [change for change in self._data.plan_changes if change.by == wearer]

    # -- what the partner's hub says ------------------------------------------------------

    def take_from_partner(
        self, wearer: str, confirmed_at: datetime | None, changes: list[PlanChange]
    ) -> tuple[bool, list[PlanChange]]:
        """Keeps what ``wearer``'s own hub says of them: whether they confirmed (newly
        confirmed: True), and their plan changes not taken before (returned). A change
        erased here is not taken again: only changes made after the newest one taken are."""
        newly_confirmed = confirmed_at is not None and self.confirmed(wearer) is None
        if confirmed_at is None and self.confirmed(wearer) is not None:
            # Their hub forgot it (erased): so does this one.
            del self._data.confirmed[wearer]
            if self._store is not None:
                forget_confirmation(self._store, self._pair_id, wearer)
        elif confirmed_at is not None and confirmed_at != self.confirmed(wearer):
            self._data.confirmed[wearer] = confirmed_at
            if self._store is not None:
                save_confirmation(self._store, self._pair_id, wearer, confirmed_at.isoformat())
        through = self._data.heard_through.get(wearer)
        new = [
            change
            for change in sorted(changes, key=lambda change: change.at)
            if change.by == wearer and (through is None or change.at > through)
        ]
        if new:
            self._data.plan_changes, self._data.plan = summed([*self._data.plan_changes, *new])
            self._data.heard_through[wearer] = new[-1].at
            if self._store is not None:
                for change in new:
                    save_plan_change(
                        self._store, self._pair_id, wearer, change.at.isoformat(), change.changes
                    )
                save_heard_through(self._store, self._pair_id, wearer, new[-1].at.isoformat())
        return newly_confirmed, new

    # -- feedback -------------------------------------------------------------------------

    def give_feedback(self, wearer: str, feedback: Feedback) -> None:
        self._data.feedback[wearer] = feedback
        if self._store is not None:
            save_feedback(self._store, self._pair_id, wearer, feedback.model_dump())

    def feedback_seen_by(self, viewer: str) -> dict[str, dict[str, object] | None]:
        """What ``viewer`` may see: all of their own answers, the partner's only if shared."""
        own = self._data.feedback.get(viewer)
        theirs = self._data.feedback.get(self.partner_of(viewer))
        return {
            "own": own.model_dump() if own is not None else None,
            "partner": {**theirs.answers()} if theirs is not None and theirs.share else None,
        }


def _load(store: EventStore, pair_id: str) -> _Saved:
    """The records in the store; the plan is the sum of the changes still kept."""
    rows = load_practice(store, pair_id)
    try:
        changes, plan = summed([PlanChange.model_validate(c) for c in rows.plan_changes])
        return _Saved(
            confirmed={w: datetime.fromisoformat(at) for w, at in rows.confirmed.items()},
            plan=plan,
            plan_changes=changes,
            feedback={w: Feedback.model_validate(a) for w, a in rows.feedback.items()},
            heard_through={w: datetime.fromisoformat(t) for w, t in rows.heard_through.items()},
        )
    except ValueError as error:
        raise ValueError(f"{store.path}: a practice row is not valid: {error}") from None


def _import_file(path: Path, store: EventStore, pair_id: str) -> None:
    """Moves an old practice file into the store (unless already there), then removes it."""
    try:
        saved = _Saved.model_validate_json(path.read_bytes())
    except ValueError as error:
        raise ValueError(f"{path}: not a practice record: {error}") from None
    if not has_practice(store, pair_id):  # a crash after the import, before the removal
        for wearer, at in saved.confirmed.items():
            save_confirmation(store, pair_id, wearer, at.isoformat())
        summed: dict[str, str] = {}
        for change in saved.plan_changes:
            save_plan_change(store, pair_id, change.by, change.at.isoformat(), change.changes)
            summed.update(change.changes)
        # The file kept the plan itself too; whatever the changes do not explain stays.
        missing = {
            name: value
            for name, value in saved.plan.model_dump().items()
            if summed.get(name, "") != value
        }
        if missing:
            save_plan_change(store, pair_id, "imported", datetime.now(UTC).isoformat(), missing)
        for wearer, feedback in saved.feedback.items():
            save_feedback(store, pair_id, wearer, feedback.model_dump())
        store.flush()
    # Overwritten before it is unlinked, so the words are not left in freed blocks.
    with path.open("r+b") as file:
        file.write(bytes(path.stat().st_size))
        file.flush()
        os.fsync(file.fileno())
    path.unlink()
    log.info("moved %s into %s", path.name, store.path.name)
