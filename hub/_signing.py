"""Seal and open every MQTT message of the pair (``docs/protocol.md``, "Signed messages").

A sealed message is the same JSON object with two more fields: ``ctr``, the sender's
counter, and ``mac``, HMAC-SHA256 over the topic and the object's canonical JSON (sorted keys,
no spaces, UTF-8) without ``mac``. A client that only listens reads the message as before.
With encryption on, the object is replaced by ``{"ctr": ..., "enc": ...}``: ChaCha20-Poly1305
over the canonical JSON, the topic and counter as associated data; the broker then sees
topics and sizes only.

Counters: a hub's counter is the time in microseconds, never lower than one more than the last
it used (kept in the data directory), so it rises across restarts without a write per message
having to succeed first. A receiver remembers, per topic, the highest counter it accepted
and refuses lower ones (a replay). The same counter with the same MAC is a repeat of the last
accepted message (a QoS 1 redelivery, or the retained copy a reconnecting hub receives
again): it passes, and the session drops it as a duplicate by id or takes it as the state.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hub._messages import MessageError
from hub._pair_key import PairKey
from hub._private_files import PrivateFileError, write_private

log = logging.getLogger(__name__)

MAC_INFO = b"comfort-hub/v1 mac"
ENCRYPTION_INFO = b"comfort-hub/v1 enc"
NONCE_BYTES = 12


class SealRefused(MessageError):
    """A message that is not sealed with the pair's key, or replays an old counter."""

    def __init__(self, topic: str, payload: bytes, reason: str, *, stale: bool = False) -> None:
        super().__init__(topic, payload, reason)
        # Correctly sealed, only older than what was heard on the topic already.
        self.stale = stale
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
        self, key: PairKey, *, encrypt: bool = False, state_path: Path | None = None
    ) -> None:
        self.pair = key.pair
        self.encrypt = encrypt
        self._mac_key = derive(key.secret, MAC_INFO)
        self._cipher = ChaCha20Poly1305(derive(key.secret, ENCRYPTION_INFO))
        self._state_path = state_path
        self._last_sent = 0
        # topic -> (highest accepted counter, its MAC or ciphertext digest)
        self._heard: dict[str, tuple[int, str]] = {}
        self._load()

    # -- sending ----------------------------------------------------------------------------

    def next_counter(self) -> int:
        self._last_sent = max(self._last_sent + 1, time.time_ns() // 1000)
        self._save()
        return self._last_sent

    def seal(self, topic: str, payload: bytes) -> bytes:
        """``payload`` (a JSON object) with ``ctr`` and ``mac``, or encrypted."""
        obj = json.loads(payload)
        counter = self.next_counter()
        if self.encrypt:
            nonce = secrets.token_bytes(NONCE_BYTES)
            sealed = self._cipher.encrypt(nonce, canonical(obj), _associated(topic, counter))
            return canonical({"ctr": counter, "enc": _b64(nonce + sealed)})
        obj["ctr"] = counter
        obj["mac"] = self._mac(topic, obj)
        return json.dumps(obj, separators=(",", ":")).encode()

    def _mac(self, topic: str, obj: dict[str, Any]) -> str:
        unsigned = {k: v for k, v in obj.items() if k != "mac"}
        digest = hmac.digest(self._mac_key, topic.encode() + b"\n" + canonical(unsigned), "sha256")
        return _b64(digest)

    # -- receiving --------------------------------------------------------------------------

    def open(self, topic: str, payload: bytes) -> bytes:
        """The message as its sender wrote it; raises :class:`SealRefused` saying why not."""

        def refuse(reason: str, *, stale: bool = False) -> SealRefused:
            return SealRefused(topic, payload, reason, stale=stale)

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
                raise refuse("MAC does not match: not sealed with this pair's key, or altered")
            inner = {k: v for k, v in obj.items() if k not in ("ctr", "mac")}
        else:
            raise refuse("no mac: an unsigned or forged message")
        self._check_fresh(topic, counter, tag, refuse)
        return json.dumps(inner).encode()

    def _decrypt(
        self, topic: str, counter: int, text: str, refuse: Callable[[str], SealRefused]
    ) -> tuple[dict[str, Any], str]:
        try:
            raw = _unb64(text)
            plain = self._cipher.decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated(topic, counter)
            )
            inner = json.loads(plain)
        except (ValueError, InvalidTag):
            raise refuse("does not decrypt with this pair's key") from None
        if not isinstance(inner, dict):
            raise refuse("decrypts to something other than a JSON object")
        return inner, _b64(hashlib.sha256(raw).digest())

    def _check_fresh(
        self, topic: str, counter: int, tag: str, refuse: Callable[..., SealRefused]
    ) -> None:
        last = self._heard.get(topic)
        if last is not None:
            last_counter, last_tag = last
            if counter < last_counter:
                raise refuse(f"replay: counter {counter} is older than {last_counter}", stale=True)
            if counter == last_counter:
                if hmac.compare_digest(tag, last_tag):
                    return  # the last accepted message again: a redelivery or retained copy
                raise refuse(f"counter {counter} was already used by another message")
        self._heard[topic] = (counter, tag)
        self._save()

    # -- the counters, kept across restarts ------------------------------------------------

    def _load(self) -> None:
        if self._state_path is None:
            return
        try:
            state = json.loads(self._state_path.read_text(encoding="utf-8"))
            self._last_sent = int(state["sent"])
            self._heard = {t: (int(c), str(m)) for t, (c, m) in state["heard"].items()}
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError) as error:
            # Starting afresh only weakens replay checks until the next message; say so.
            log.warning("%s: unreadable counters (%s); starting afresh", self._state_path, error)

    def _save(self) -> None:
        if self._state_path is None:
            return
        state = {"sent": self._last_sent, "heard": {t: list(v) for t, v in self._heard.items()}}
        try:
            write_private(self._state_path, json.dumps(state).encode())
        except PrivateFileError as error:
            # Sealing must go on (a stop must leave); the counter is time-based meanwhile.
            log.warning("%s", error)
