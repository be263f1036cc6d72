"""Seal and open every MQTT message of the pair (``docs/protocol.md``, "Signed messages").

A sealed message is the same JSON object with two more fields: ``ctr``, the sender's
counter, and ``mac``, HMAC-SHA256 over the topic and the object's canonical JSON (sorted keys,
no spaces, UTF-8) without ``mac``. A client that only listens reads the message as before.
With encryption on, the object is replaced by ``{"ctr": ..., "enc": ...}``: ChaCha20-Poly1305
over the canonical JSON, the topic and counter as associated data; the broker then sees
topics and sizes only.

Counters: a hub's counter rises across restarts and is never used twice, even after a crash
(:mod:`hub._seal_memory` keeps them). A receiver remembers, per topic, the highest counter it
accepted and refuses lower ones (a replay). The same counter with the same MAC is a repeat of
the last accepted message (a QoS 1 redelivery, or the retained copy a reconnecting hub
receives again): it passes, and the session drops it as a duplicate by id or takes it as the
state.

A hub with encryption on takes only encrypted messages: a signed but readable one from the
pair (a partner hub with ``encrypt`` off) is refused (``plaintext``), so nothing of the pair
crosses the broker readable unnoticed; both hubs need the same setting.

With no memory of a topic yet (a first start, a wiped data directory) a message sealed more
than ``HISTORY_AFTER_S`` before this hub started is history, not news: refused (``history``),
so a stop retained or queued from last week never buzzes anyone. A level still held is said
again, freshly sealed, when its hub sees this one come online.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hub._messages import MessageError
from hub._pair_key import PairKey
from hub._seal_memory import SealMemory

# A message first heard on a topic, sealed this long before the hub started, is history: long
# enough for the persistent session to hand over what was queued during a restart (and for
# clocks a little apart), short enough that last night's retained stop is not news.
HISTORY_AFTER_S = 600.0

MAC_INFO = b"comfort-hub/v1 mac"
ENCRYPTION_INFO = b"comfort-hub/v1 enc"
NONCE_BYTES = 12
# Said with every message sealed with another key: what is most likely wrong, and the cure.
KEYS_DIFFER = (
    "the pair keys of the two hubs differ (or someone without the key forges messages): run "
    "`comfort-hub pair-key show` on one hub and `comfort-hub pair-key add KEY --force` with "
    "its key line on the other, then restart that hub"
)
# Per topic, how many sealed messages are remembered until the broker hands them back. More
# are in flight only in a burst; a copy no longer remembered is opened like any other.
OWN_KEPT = 16


class SealRefused(MessageError):
    """A message that is not sealed with the pair's key, or replays an old counter."""

    def __init__(
        self,
        topic: str,
        payload: bytes,
        reason: str,
        *,
        stale: bool = False,
        history: bool = False,
        plaintext: bool = False,
        foreign: bool = False,
    ) -> None:
        super().__init__(topic, payload, reason)
        # Sealed with another key (or altered): a partner hub given another pair key seals
        # everything so, its heartbeat every second.
        self.foreign = foreign
        # Signed but not encrypted, heard by a hub that encrypts: a partner hub set apart.
        self.plaintext = plaintext
        # Correctly sealed, only older than what was heard on the topic already.
        self.stale = stale or history
        # Correctly sealed, first heard on its topic, and from well before this hub started.
        self.history = history
        self.args = (f"refused a message on {topic}: {reason}",)

    def __str__(self) -> str:
        return str(self.args[0])


def derive(secret: bytes, info: bytes) -> bytes:
    """One 32-byte key per use of the pair secret (HKDF-SHA256, no salt)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def canonical(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _associated(topic: str, counter: int) -> bytes:
    return f"{topic}\n{counter}".encode()


class MessageSeal:
    """Seals what this hub publishes and opens what it hears, for one pair."""

    def __init__(
        self,
        key: PairKey,
        *,
        encrypt: bool = False,
        state_path: Path | None = None,
        started_us: int | None = None,
    ) -> None:
        """``started_us``: when the hub started (now, unless given), for what is history."""
        self.pair = key.pair
        self.encrypt = encrypt
        self._mac_key = derive(key.secret, MAC_INFO)
        self._cipher = ChaCha20Poly1305(derive(key.secret, ENCRYPTION_INFO))
        self._started_us = time.time_ns() // 1000 if started_us is None else started_us
        self._memory = SealMemory(state_path)
        # topic -> (payload, counter, tag) of what was sealed and not yet heard back
        self._own: dict[str, deque[tuple[bytes, int, str]]] = {}

    # -- sending ----------------------------------------------------------------------------

    def next_counter(self) -> int:
        return self._memory.next_counter()

    def seal(self, topic: str, payload: bytes) -> bytes:
        """``payload`` (a JSON object) with ``ctr`` and ``mac``, or encrypted."""
        obj = json.loads(payload)
        counter = self.next_counter()
        if self.encrypt:
            nonce = secrets.token_bytes(NONCE_BYTES)
            raw = nonce + self._cipher.encrypt(nonce, canonical(obj), _associated(topic, counter))
            sealed = canonical({"ctr": counter, "enc": _b64(raw)})
            tag = _b64(hashlib.sha256(raw).digest())
        else:
            obj["ctr"] = counter
            obj["mac"] = tag = self._mac(topic, obj)
            sealed = json.dumps(obj, separators=(",", ":")).encode()
        self._own.setdefault(topic, deque(maxlen=OWN_KEPT)).append((sealed, counter, tag))
        return sealed

    def heard_own(self, topic: str, payload: bytes, *, frequent: bool = False) -> bool:
        """True when ``payload`` is, byte for byte, a message this seal sealed for ``topic``
        and has not heard back yet: it is taken as heard (its counter kept, as :meth:`open`
        would) without being opened. It carries this hub's own MAC and counter, so nobody
        else made it; opening it again would cost as much as a partner's message, on every
        message the hub sends. False for anything else, which :meth:`open` judges as ever.
        ``frequent`` as for :meth:`open`.
        """
        sent = self._own.get(topic)
        mine = next((entry for entry in sent or () if entry[0] == payload), None)
        if sent is None or mine is None:
            return False
        sent.remove(mine)
        _, counter, tag = mine
        last = self._memory.last_heard(topic)
        if last is not None and counter <= last[0]:
            return False  # not newer than what was heard: open judges it, as any copy
        self._memory.remember(topic, counter, tag, frequent=frequent)
        return True

    def _mac(self, topic: str, obj: dict[str, Any]) -> str:
        unsigned = {k: v for k, v in obj.items() if k != "mac"}
        digest = hmac.digest(self._mac_key, topic.encode() + b"\n" + canonical(unsigned), "sha256")
        return _b64(digest)

    # -- receiving --------------------------------------------------------------------------

    def open(
        self, topic: str, payload: bytes, *, frequent: bool = False, news_only: bool = True
    ) -> bytes:
        """The message as its sender wrote it; raises :class:`SealRefused` saying why not.

        ``frequent``: a topic heard every second (a heartbeat), remembered on disk at most
        every few seconds. ``news_only``: a first message sealed long before this hub started
        is history (a hub's status is not: an old "offline" still says it is gone)."""

        def refuse(reason: str, **kind: bool) -> SealRefused:
            return SealRefused(topic, payload, reason, **kind)

        try:
            obj = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            raise refuse("not JSON, so not sealed") from None
        if not isinstance(obj, dict):
            raise refuse("not a JSON object, so not sealed")
        counter = obj.get("ctr")
        if not isinstance(counter, int) or isinstance(counter, bool) or counter < 0:
            raise refuse("no counter (ctr): an unsigned or forged message")
        if isinstance(obj.get("enc"), str):
            inner, tag = self._decrypt(topic, counter, obj["enc"], refuse)
        elif isinstance(obj.get("mac"), str):
            tag = obj["mac"]
            if not hmac.compare_digest(tag.encode(), self._mac(topic, obj).encode()):
                raise refuse(
                    "MAC does not match: not sealed with this pair's key, or altered; "
                    + KEYS_DIFFER,
                    foreign=True,
                )
            if self.encrypt:
                raise refuse(
                    "signed but not encrypted, and this hub has [security] encrypt = true "
                    "(set it on both hubs)",
                    plaintext=True,
                )
            inner = {k: v for k, v in obj.items() if k not in ("ctr", "mac")}
        else:
            raise refuse("no mac: an unsigned or forged message")
        self._check_fresh(topic, counter, tag, refuse, news_only=news_only)
        self._memory.remember(topic, counter, tag, frequent=frequent)
        return json.dumps(inner).encode()

    def _decrypt(
        self, topic: str, counter: int, text: str, refuse: Callable[..., SealRefused]
    ) -> tuple[dict[str, Any], str]:
        try:
            raw = _unb64(text)
            plain = self._cipher.decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated(topic, counter)
            )
            inner = json.loads(plain)
        except (ValueError, InvalidTag):
            raise refuse(
                f"does not decrypt with this pair's key; {KEYS_DIFFER}", foreign=True
            ) from None
        if not isinstance(inner, dict):
            raise refuse("decrypts to something other than a JSON object")
        return inner, _b64(hashlib.sha256(raw).digest())

    def _check_fresh(
        self,
        topic: str,
        counter: int,
        tag: str,
        refuse: Callable[..., SealRefused],
        *,
        news_only: bool,
    ) -> None:
        last = self._memory.last_heard(topic)
        if last is None:
            age_s = (self._started_us - counter) / 1e6
            if news_only and age_s > HISTORY_AFTER_S:
                raise refuse(
                    f"sealed {age_s / 60:.0f} min before this hub started, and nothing newer "
                    "heard on it: history, not news",
                    history=True,
                )
            return
        last_counter, last_tag = last
        if counter < last_counter:
            raise refuse(f"replay: counter {counter} is older than {last_counter}", stale=True)
        if counter == last_counter and not hmac.compare_digest(tag, last_tag):
            raise refuse(f"counter {counter} was already used by another message")

    def close(self) -> None:
        """At a clean shutdown: the memory as it is, marked complete."""
        self._memory.close()
