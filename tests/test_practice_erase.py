"""``comfort-hub erase --all`` takes the pair's practice words and tap calibrations too."""

from __future__ import annotations

import os
from pathlib import Path

from hub._tap_calibrations import FILE_NAME, TapCalibrations
from hub.practice import Feedback, PracticeRecords, SharedPlan, practice_file
from hub.store import DATABASE_NAME, EventStore
from hub.store._lock import hold_for_hub
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


async def test_erase_all_leaves_the_pairs_words_to_a_running_hub_and_says_so(
    data_dir: Path,
) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    practice_file(data_dir, "alex-sam").write_text('{"plan": {"safeword": "kept-word"}}')
    running_hub = hold_for_hub(data_dir / DATABASE_NAME)
    try:
        while_running = await comfort_hub("erase", "--all")
    finally:
        os.close(running_hub)
    assert while_running.returncode == 0, while_running.stderr
    # The hub holds them in memory and would write them again: they wait for it to stop.
    assert "a hub running on it holds them" in while_running.stdout
    assert "stop it and run erase --all again" in while_running.stdout
    assert practice_file(data_dir, "alex-sam").exists()

    stopped = await comfort_hub("erase", "--all")
    assert stopped.returncode == 0, stopped.stderr
    assert not practice_file(data_dir, "alex-sam").exists()
