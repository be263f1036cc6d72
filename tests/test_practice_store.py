"""The practice's agreement, plan and feedback live in the event store, erased with sessions."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.practice import Feedback, PlanChange, PracticeRecords, SharedPlan, practice_file
from hub.store import DATABASE_NAME, EventStore
from tests.test_timeline_export import comfort_hub

PAIR = ("alex", "sam")


def database_bytes(data_dir: Path) -> bytes:
    return b"".join(
        p.read_bytes() for p in sorted(data_dir.iterdir()) if p.name.startswith(DATABASE_NAME)
    )


def test_records_come_back_from_the_store_and_private_feedback_stays_its_authors(
    data_dir: Path,
) -> None:
    store = EventStore.open(data_dir)
    records = PracticeRecords(PAIR, store, pair_id="alex-sam")
    changes = records.change_plan("sam", SharedPlan(safeword="amber", clothing="x"), {"safeword"})
    assert changes == {"safeword": "amber"} and records.plan.clothing == ""
    records.confirm("alex")
    records.give_feedback("alex", Feedback(felt_good="secret", comfort=4))
    records.give_feedback("sam", Feedback(felt_good="shared", comfort=5, share=True))
    store.close()
    assert stat.S_IMODE((data_dir / DATABASE_NAME).stat().st_mode) == 0o600

    store = EventStore.open(data_dir)
    again = PracticeRecords(PAIR, store, pair_id="alex-sam")
    assert again.plan.safeword == "amber" and again.plan_changes[0].by == "sam"
    assert again.confirmed("alex") is not None and not again.both_confirmed()
    assert again.feedback_seen_by("sam")["partner"] is None
    assert again.feedback_seen_by("alex")["partner"] == {
        "felt_good": "shared",
        "to_change": "",
        "comfort": 5,
        "about": "",
    }
    other_pair = PracticeRecords(PAIR, store, pair_id="other")
    assert other_pair.plan.safeword == "" and other_pair.feedback_seen_by("alex")["own"] is None
    store.close()


def test_an_old_practice_file_is_imported_once_and_removed(data_dir: Path) -> None:
    old = practice_file(data_dir, "alex-sam")
    data_dir.mkdir(parents=True)
    old.write_text(
        json.dumps(
            {
                "confirmed": {"alex": "2026-01-02T03:04:05+00:00"},
                "plan": {"safeword": "amber", "music_and_lighting": "rain"},
                "plan_changes": [
                    {
                        "by": "sam",
                        "at": "2026-01-02T03:05:00+00:00",
                        "changes": {"safeword": "amber"},
                    }
                ],
                "feedback": {"alex": {"felt_good": "the quiet part", "comfort": 4}},
            }
        )
    )
    store = EventStore.open(data_dir)
    records = PracticeRecords.open(PAIR, store, "alex-sam", data_dir)
    assert not old.exists()
    assert records.plan.safeword == "amber" and records.plan.music_and_lighting == "rain"
    assert [c.by for c in records.plan_changes] == ["sam", "imported"]
    assert records.confirmed("alex") is not None and records.confirmed("sam") is None
    own = records.feedback_seen_by("alex")["own"]
    assert own is not None and own["felt_good"] == "the quiet part"
    assert records.feedback_seen_by("sam")["partner"] is None, "it was not shared"

    again = PracticeRecords.open(PAIR, store, "alex-sam", data_dir)
    assert len(again.plan_changes) == 2, "imported once"
    store.close()


def test_a_broken_practice_file_is_named_and_kept(data_dir: Path) -> None:
    old = practice_file(data_dir, "alex-sam")
    data_dir.mkdir(parents=True)
    old.write_text("{not json")
    store = EventStore.open(data_dir)
    with pytest.raises(ValueError, match=r"alex-sam-practice\.json: not a practice record"):
        PracticeRecords.open(PAIR, store, "alex-sam", data_dir)
    store.close()
    assert old.exists()


async def test_erasing_a_session_erases_its_feedback_and_plan_changes_only(
    data_dir: Path,
) -> None:
    store = EventStore.open(data_dir)
    records = PracticeRecords(PAIR, store, pair_id="alex-sam")
    # Planned before the first session: the plan is that session's.
    records.change_plan("sam", SharedPlan(safeword="pineapple-zebra"), {"safeword"})
    first = store.start_session("alex-sam", PAIR)
    store.end_session()
    records.give_feedback("alex", Feedback(felt_good="slow-lavender", comfort=4))
    second = store.start_session("alex-sam", PAIR)
    records.change_plan("alex", SharedPlan(clothing="velvet-mango"), {"clothing"})
    store.end_session()
    records.give_feedback("sam", Feedback(felt_good="quiet-cedar", comfort=5, share=True))
    store.close()
    kept = [b"velvet-mango", b"quiet-cedar", second.id.encode()]
    erased_words = [b"pineapple-zebra", b"slow-lavender", first.id.encode()]
    before = database_bytes(data_dir)
    assert all(word in before for word in kept + erased_words), "the test wrote what it seeks"

    erased = await comfort_hub("erase", first.id)

    assert erased.returncode == 0, erased.stderr
    after = database_bytes(data_dir)
    assert [w for w in erased_words if w in after] == []
    assert [w for w in kept if w not in after] == []
    store = EventStore.open(data_dir)
    left = PracticeRecords(PAIR, store, pair_id="alex-sam")
    assert left.plan.safeword == "" and left.plan.clothing == "velvet-mango"
    assert left.feedback_seen_by("alex")["own"] is None
    assert left.feedback_seen_by("alex")["partner"] is not None
    store.close()

    erased = await comfort_hub("erase", "--all")

    assert erased.returncode == 0, erased.stderr
    after = database_bytes(data_dir)
    assert [w for w in kept if w in after] == []


def test_both_hubs_sum_the_plan_in_the_order_it_was_changed() -> None:
    records = PracticeRecords(PAIR)
    records.change_plan("sam", SharedPlan(safeword="red"), {"safeword"})
    # alex's change, made on alex's hub before sam's, arrives after it: sam's still stands.
    earlier = PlanChange(
        by="alex",
        at=datetime(2026, 1, 1, tzinfo=UTC),
        changes={"safeword": "amber", "clothing": "linen"},
    )
    assert records.take_from_partner("alex", None, [earlier]) == (False, [earlier])
    assert records.plan.safeword == "red" and records.plan.clothing == "linen"
    assert [c.by for c in records.plan_changes] == ["alex", "sam"]


async def test_a_partner_change_erased_here_is_not_taken_again_from_its_hub(
    data_dir: Path,
) -> None:
    store = EventStore.open(data_dir)
    records = PracticeRecords(PAIR, store, pair_id="alex-sam")
    at = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    said = [PlanChange(by="alex", at=at, changes={"safeword": "copper-heron"})]
    session = store.start_session("alex-sam", PAIR)
    assert records.take_from_partner("alex", at, said) == (True, said)
    store.end_session()
    store.close()
    assert b"copper-heron" in database_bytes(data_dir), "the test wrote what it seeks"

    erased = await comfort_hub("erase", session.id)

    assert erased.returncode == 0, erased.stderr
    assert b"copper-heron" not in database_bytes(data_dir)
    store = EventStore.open(data_dir)
    again = PracticeRecords(PAIR, store, pair_id="alex-sam")
    # alex's hub still says it (its retained copy): it stays erased here.
    assert again.take_from_partner("alex", at, said) == (False, [])
    assert again.plan.safeword == ""
    newer = PlanChange(by="alex", at=at + timedelta(minutes=1), changes={"clothing": "linen"})
    assert again.take_from_partner("alex", at, [*said, newer]) == (False, [newer])
    assert again.plan.clothing == "linen" and again.plan.safeword == ""
    # alex's hub forgot the confirmation (erased there): so does this one.
    again.take_from_partner("alex", None, [])
    assert again.confirmed("alex") is None
    store.close()
    reopened = EventStore.open(data_dir)
    assert PracticeRecords(PAIR, reopened, pair_id="alex-sam").confirmed("alex") is None
    reopened.close()


def test_a_change_made_after_one_heard_comes_after_it_whatever_the_clocks_say() -> None:
    records = PracticeRecords(PAIR)
    # The partner hub's clock runs ahead: its change seems to come from a minute from now.
    ahead = datetime.now(UTC) + timedelta(minutes=1)
    heard = PlanChange(by="alex", at=ahead, changes={"safeword": "amber"})
    records.take_from_partner("alex", None, [heard])
    records.change_plan("sam", SharedPlan(safeword="red"), {"safeword"})
    assert records.plan.safeword == "red"
    assert [c.by for c in records.plan_changes] == ["alex", "sam"]
