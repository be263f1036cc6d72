"""Sealed messages: a listener still reads them; a forger, a tamperer or a replayer is refused."""

from __future__ import annotations

import json
import shutil
import stat
import time
from pathlib import Path

import pytest

from hub import _seal_memory as seal_memory
from hub._pair_key import PairKey, PairKeyError, load_or_create_key
from hub._private_files import write_private
from hub._signing import MessageSeal, SealRefused

TOPIC = "comfort/v1/room/alex/signal"
STOP = json.dumps({"id": "s1", "seq": 0, "signal": "stop", "source": "tap", "at": "x"}).encode()
RESUME = json.dumps({"id": "s2", "seq": 1, "signal": "resume", "source": "tap", "at": "y"}).encode()


def pair() -> tuple[MessageSeal, MessageSeal]:
    key = PairKey.generate("room")
    return MessageSeal(key), MessageSeal(key)


def test_a_sealed_message_still_reads_as_before_and_opens_to_the_original() -> None:
    sender, receiver = pair()
    sealed = sender.seal(TOPIC, STOP)
    read_by_a_listener = json.loads(sealed)
    assert read_by_a_listener["signal"] == "stop"
    assert {"ctr", "mac"} <= read_by_a_listener.keys()
    assert json.loads(receiver.open(TOPIC, sealed)) == json.loads(STOP)


def test_unsigned_wrong_key_tampered_and_moved_messages_are_refused() -> None:
    sender, receiver = pair()
    stranger = MessageSeal(PairKey.generate("room"))
    sealed = json.loads(sender.seal(TOPIC, STOP))
    tampered = json.dumps({**sealed, "signal": "resume"}).encode()
    with pytest.raises(SealRefused, match="no counter"):
        receiver.open(TOPIC, RESUME)
    with pytest.raises(SealRefused, match="MAC does not match"):
        receiver.open(TOPIC, stranger.seal(TOPIC, RESUME))
    with pytest.raises(SealRefused, match="MAC does not match"):
        receiver.open(TOPIC, tampered)
    # A genuine message copied to another wearer's topic is not theirs.
    with pytest.raises(SealRefused, match="MAC does not match"):
        receiver.open("comfort/v1/room/sam/signal", json.dumps(sealed).encode())
    with pytest.raises(SealRefused, match="not JSON"):
        receiver.open(TOPIC, b"\xff\x00")


def test_an_old_message_replayed_is_refused_but_a_repeat_of_the_last_passes() -> None:
    sender, receiver = pair()
    first, second = sender.seal(TOPIC, STOP), sender.seal(TOPIC, RESUME)
    receiver.open(TOPIC, first)
    receiver.open(TOPIC, second)
    with pytest.raises(SealRefused, match="replay"):
        receiver.open(TOPIC, first)
    # A QoS 1 redelivery, or the retained copy heard again on reconnecting: the session
    # drops it as a duplicate by id, or takes it as the (unchanged) state.
    assert json.loads(receiver.open(TOPIC, second))["id"] == "s2"


@pytest.mark.parametrize("encrypt", [False, True])
def test_its_own_message_heard_back_is_taken_unopened_and_its_replay_still_refused(
    encrypt: bool,
) -> None:
    hub = MessageSeal(PairKey.generate("room"), encrypt=encrypt)
    first = hub.seal(TOPIC, STOP)
    second = hub.seal(TOPIC, RESUME)
    assert hub.heard_own(TOPIC, first)
    assert hub.heard_own(TOPIC, second)
    assert not hub.heard_own(TOPIC, second), "a second copy is opened like any other"
    assert json.loads(hub.open(TOPIC, second)) == json.loads(RESUME), "a repeat of the last"
    with pytest.raises(SealRefused, match="replay"):
        hub.open(TOPIC, first)  # the older one played back: its newer one was noted
    forged = first.replace(b"stop", b"pause") if not encrypt else first[:-3] + b"AAA"
    assert not hub.heard_own(TOPIC, forged), "only its own bytes, exactly"
    assert not hub.heard_own("comfort/v1/room/sam/signal", hub.seal(TOPIC, STOP)), (
        "and only on the topic it was sealed for"
    )


def test_encrypted_messages_show_the_broker_nothing_and_open_with_the_key() -> None:
    key = PairKey.generate("room")
    sender, receiver = MessageSeal(key, encrypt=True), MessageSeal(key)
    sealed = sender.seal(TOPIC, STOP)
    assert set(json.loads(sealed)) == {"ctr", "enc"}
    assert b"stop" not in sealed
    assert json.loads(receiver.open(TOPIC, sealed))["signal"] == "stop"
    with pytest.raises(SealRefused, match="does not decrypt"):
        MessageSeal(PairKey.generate("room")).open(TOPIC, sealed)
    with pytest.raises(SealRefused, match="does not decrypt"):
        receiver.open("comfort/v1/room/sam/signal", sealed)


def test_a_hub_that_encrypts_refuses_the_pairs_readable_messages() -> None:
    key = PairKey.generate("room")
    encrypting, readable = MessageSeal(key, encrypt=True), MessageSeal(key)
    with pytest.raises(SealRefused, match="signed but not encrypted") as refused:
        encrypting.open(TOPIC, readable.seal(TOPIC, STOP))
    assert refused.value.plaintext
    assert f"on {TOPIC}:" in str(refused.value) and "set it on both hubs" in str(refused.value)
    # A forgery stays a forgery: only the pair's own readable messages are "plaintext".
    stranger = MessageSeal(PairKey.generate("room"))
    with pytest.raises(SealRefused, match="MAC does not match") as forged:
        encrypting.open(TOPIC, stranger.seal(TOPIC, STOP))
    assert not forged.value.plaintext
    # The refusal moved no counter: the partner's next encrypted message opens.
    partner = MessageSeal(key, encrypt=True)
    assert json.loads(encrypting.open(TOPIC, partner.seal(TOPIC, RESUME)))["id"] == "s2"


def test_counters_rise_across_a_restart_and_replays_stay_refused(tmp_path: Path) -> None:
    key = PairKey.generate("room")
    state = tmp_path / "counters"
    sender = MessageSeal(key, state_path=state)
    receiver = MessageSeal(key, state_path=tmp_path / "heard")
    old, new = sender.seal(TOPIC, STOP), sender.seal(TOPIC, RESUME)
    receiver.open(TOPIC, old)
    receiver.open(TOPIC, new)
    assert stat.S_IMODE(state.stat().st_mode) == 0o600

    restarted = MessageSeal(key, state_path=state)
    assert restarted.next_counter() > json.loads(new)["ctr"]
    receiver_restarted = MessageSeal(key, state_path=tmp_path / "heard")
    with pytest.raises(SealRefused, match="replay"):
        receiver_restarted.open(TOPIC, old)


def test_a_pair_key_is_one_line_that_survives_copying_and_refuses_typos(tmp_path: Path) -> None:
    key, made = load_or_create_key(tmp_path / "data", "room")
    assert made
    again, made_again = load_or_create_key(tmp_path / "data", "room")
    assert (again, made_again) == (key, False)
    path = tmp_path / "data" / "pair-room.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

    text = key.to_text()
    assert "\n" not in text and text.startswith("comfort1:room:")
    assert PairKey.parse(f"  {text}\n") == key
    typo = text[:-3] + ("A" if text[-3] != "A" else "B") + text[-2:]
    with pytest.raises(PairKeyError, match="mistyped"):
        PairKey.parse(typo)
    with pytest.raises(PairKeyError, match="looks like"):
        PairKey.parse("hunter2")
    assert "█" in key.qr_code() or "▀" in key.qr_code()


def test_the_worked_example_in_the_protocol_document_opens() -> None:
    """docs/protocol.md's example, as a third-party client would check its own code."""
    key = PairKey.parse("comfort1:demo:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9jDc0p")
    assert key.secret == bytes(range(32))
    payload = (
        b'{"id":"6b2b8c1e-2f1a-4d55-9c0e-5a7d3c9e1f20","seq":0,"signal":"stop","source":"tap",'
        b'"at":"2026-11-23T21:04:05.123000Z","ctr":1795467845123456,'
        b'"mac":"CHEYJqpPh4gEYXwrifjM3kmsxZ4TNFrpXnTPpEtovT4"}'
    )
    # Opened by a hub that started when the example was sealed (later, it would be history).
    seal = MessageSeal(key, started_us=1795467845123456)
    opened = json.loads(seal.open("comfort/v1/demo/alex/signal", payload))
    assert opened["signal"] == "stop" and "mac" not in opened


def sealed_at(key: PairKey, topic: str, payload: bytes, counter: int) -> bytes:
    """``payload`` sealed as docs/protocol.md says, with a counter of our choosing (an old one)."""
    obj = {**json.loads(payload), "ctr": counter}
    obj["mac"] = MessageSeal(key)._mac(topic, obj)
    return json.dumps(obj).encode()


def test_with_no_memory_a_message_sealed_long_before_the_start_is_history() -> None:
    key = PairKey.generate("room")
    started_us = time.time_ns() // 1000
    receiver = MessageSeal(key, started_us=started_us)
    week_old = sealed_at(key, TOPIC, STOP, started_us - 7 * 24 * 3600 * 10**6)
    with pytest.raises(SealRefused, match="history, not news") as refused:
        receiver.open(TOPIC, week_old)
    assert refused.value.history
    # Queued while the hub restarted: news.
    minute_old = sealed_at(key, TOPIC, STOP, started_us - 60 * 10**6)
    assert json.loads(receiver.open(TOPIC, minute_old))["signal"] == "stop"
    # An old status stays true: a hub gone last week is gone.
    status = "comfort/v1/room/hub/alex/status"
    gone = sealed_at(key, status, b'{"status": "offline"}', started_us - 7 * 24 * 3600 * 10**6)
    assert json.loads(receiver.open(status, gone, news_only=False))["status"] == "offline"


BEAT_TOPIC = "comfort/v1/room/hub/alex/alive"
BEAT = b'{"status": "online"}'


def test_heartbeats_and_counters_are_not_written_with_every_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = PairKey.generate("room")
    written: list[bytes] = []

    def counting(path: Path, data: bytes) -> None:
        written.append(data)
        write_private(path, data)

    monkeypatch.setattr(seal_memory, "write_private", counting)
    sender, receiver = MessageSeal(key), MessageSeal(key, state_path=tmp_path / "counters")
    for _ in range(20):
        receiver.open(BEAT_TOPIC, sender.seal(BEAT_TOPIC, BEAT), frequent=True)
        receiver.seal("comfort/v1/room/hub/sam/alive", BEAT)
    print(f"{len(written)} writes for 20 heartbeats heard and 20 sent")
    assert len(written) <= 4, "a write per heartbeat"
    # A signal is remembered on disk before it is handed on.
    stop = sender.seal(TOPIC, STOP)
    receiver.open(TOPIC, stop)
    assert json.loads(written[-1])["heard"][TOPIC][0] == json.loads(stop)["ctr"]


def test_after_a_crash_no_heartbeat_or_counter_heard_or_used_before_it_is_accepted_again(
    tmp_path: Path,
) -> None:
    key = PairKey.generate("room")
    sender = MessageSeal(key, state_path=tmp_path / "sent")
    receiver = MessageSeal(key, state_path=tmp_path / "heard")
    beats = [sender.seal(BEAT_TOPIC, BEAT) for _ in range(5)]
    for beat in beats:
        receiver.open(BEAT_TOPIC, beat, frequent=True)
    last_used = json.loads(beats[-1])["ctr"]
    # What a crash now would leave on disk.
    shutil.copy(tmp_path / "heard", tmp_path / "heard-at-the-crash")

    # Killed: every beat heard before is refused, even those not yet written.
    after_crash = MessageSeal(key, state_path=tmp_path / "heard-at-the-crash")
    for beat in beats:
        with pytest.raises(SealRefused, match="replay"):
            after_crash.open(BEAT_TOPIC, beat, frequent=True)
    assert MessageSeal(key, state_path=tmp_path / "sent").next_counter() > last_used

    # Stopped cleanly, the memory is exact: the next beat is taken at once.
    receiver.close()
    after_clean_stop = MessageSeal(key, state_path=tmp_path / "heard")
    with pytest.raises(SealRefused, match="replay"):
        after_clean_stop.open(BEAT_TOPIC, beats[-2], frequent=True)
    next_beat = sender.seal(BEAT_TOPIC, BEAT)
    after_clean_stop.open(BEAT_TOPIC, next_beat, frequent=True)
