"""The pair's shared secret: made once, kept 0600 in the data directory, copied to the
partner's hub as one line of text (or a QR code).

The line is ``comfort1:<pair>:<base64url of 32 secret bytes and a 4-byte check>``. The check
(the first bytes of the secret's SHA-256) only catches a mistyped key: a key copied wrong
would otherwise make every message of the partner look forged.
"""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import segno

from hub._private_files import write_private
from hub._topics import check_name

PREFIX = "comfort1"
SECRET_BYTES = 32
CHECK_BYTES = 4


class PairKeyError(ValueError):
    """A pair key that cannot be used; the message says what is wrong with it."""


def _check(secret: bytes) -> bytes:
    return hashlib.sha256(secret).digest()[:CHECK_BYTES]


@dataclass(frozen=True, slots=True)
class PairKey:
    pair: str
    secret: bytes = field(repr=False)

    @classmethod
    def generate(cls, pair: str) -> PairKey:
        return cls(check_name("pair", pair), secrets.token_bytes(SECRET_BYTES))

    def to_text(self) -> str:
        encoded = base64.urlsafe_b64encode(self.secret + _check(self.secret)).rstrip(b"=")
        return f"{PREFIX}:{self.pair}:{encoded.decode()}"

    @classmethod
    def parse(cls, text: str) -> PairKey:
        parts = text.strip().split(":")
        if len(parts) != 3 or parts[0] != PREFIX:
            raise PairKeyError(f"a pair key looks like {PREFIX}:<pair>:<key>; got {text.strip()!r}")
        _, pair, encoded = parts
        try:
            check_name("pair", pair)
        except ValueError as error:
            raise PairKeyError(f"pair key: {error}") from None
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError:
            raise PairKeyError("pair key: the part after the pair name is not base64url") from None
        secret, check = raw[:SECRET_BYTES], raw[SECRET_BYTES:]
        if len(raw) != SECRET_BYTES + CHECK_BYTES or check != _check(secret):
            raise PairKeyError("pair key: mistyped (its check does not match); copy it again")
        return cls(pair, secret)

    def qr_code(self) -> str:
        """The key as a QR code drawn with text, for a phone app to scan."""
        out = io.StringIO()
        segno.make(self.to_text(), error="m").terminal(out=out, compact=True)
        return out.getvalue()


def key_path(data_dir: Path, pair: str) -> Path:
    return data_dir / f"pair-{pair}.key"


def load_key(data_dir: Path, pair: str) -> PairKey | None:
    path = key_path(data_dir, pair)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise PairKeyError(f"{path}: cannot read the pair key: {error}") from None
    try:
        key = PairKey.parse(text)
    except PairKeyError as error:
        raise PairKeyError(f"{path}: {error}") from None
    if key.pair != pair:
        raise PairKeyError(f"{path}: the key is for pair {key.pair!r}, not {pair!r}")
    return key


def save_key(data_dir: Path, key: PairKey) -> Path:
    path = key_path(data_dir, key.pair)
    write_private(path, (key.to_text() + "\n").encode())
    return path


def load_or_create_key(data_dir: Path, pair: str) -> tuple[PairKey, bool]:
    """The pair's key, made and saved on first use; the flag says it was just made."""
    existing = load_key(data_dir, pair)
    if existing is not None:
        return existing, False
    key = PairKey.generate(pair)
    save_key(data_dir, key)
    return key, True
