"""``comfort-hub erase --all`` takes the pair's practice words and tap calibrations too."""

from __future__ import annotations

from pathlib import Path

from hub._tap_calibrations import FILE_NAME, TapCalibrations
from hub.practice import Feedback, PracticeRecords, SharedPlan, practice_file
from hub.store import DATABASE_NAME, EventStore
from signals import TapDetectorSettings
from tests.test_timeline_export import comfort_hub


def every_byte_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


async def test_erase_all_leaves_no_practice_word_or_calibration_in_any_file(
    data_dir: Path,
) -> None:
    store = EventStore.open(data_dir)
    records = PracticeRecords(("alex", "sam"), store, pair_id="alex-sam")
    records.confirm("alex")
    records.change_plan("sam", SharedPlan(safeword="pineapple-zebra"), {"safeword"})
    records.give_feedback("alex", Feedback(felt_good="the slow-lavender part", comfort=4))
    store.close()
    # A practice file an older hub left (and a hub never started since) goes too.
    practice_file(data_dir, "alex-sam").write_text('{"plan": {"clothing": "old-file-words"}}')
    TapCalibrations(data_dir / FILE_NAME).save(
        "alex", "Wrist-Band-Orchid", TapDetectorSettings(), taps=12
    )
    secrets = [b"pineapple-zebra", b"slow-lavender", b"Wrist-Band-Orchid", b"alex"]
    secrets += [b"old-file-words"]
    before = every_byte_under(data_dir)
    assert all(secret in before for secret in secrets), "the test wrote what it looks for"

    erased = await comfort_hub("erase", "--all")

    assert erased.returncode == 0, erased.stderr
    assert "alex-sam-practice.json" in erased.stdout and FILE_NAME in erased.stdout
    assert not practice_file(data_dir, "alex-sam").exists()
    assert not (data_dir / FILE_NAME).exists()
    after = every_byte_under(data_dir)
    assert [s for s in secrets if s in after] == []


async def test_erasing_one_session_keeps_the_pairs_calibration(data_dir: Path) -> None:
    TapCalibrations(data_dir / FILE_NAME).save("sam", "Band", TapDetectorSettings(), taps=9)
    missing = await comfort_hub("erase", "nope")
    assert missing.returncode == 1
    assert (data_dir / FILE_NAME).exists(), "only --all takes the calibrations"
    assert not (data_dir / DATABASE_NAME).exists()
