"""Sealed messages: a listener still reads them; a forger, a tamperer or a replayer is refused."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from hub._pair_key import PairKey, PairKeyError, load_or_create_key
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
    opened = json.loads(MessageSeal(key).open("comfort/v1/demo/alex/signal", payload))
    assert opened["signal"] == "stop" and "mac" not in opened
