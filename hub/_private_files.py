"""The hub's private files: a 0700 data directory, every file in it 0600 from its creation.

Heart rate, signal history, pair keys and the page token are intimate or secret; no other
local user may read them. Files are written whole to a temporary name and renamed, so a crash
never leaves half a key behind.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


class PrivateFileError(OSError):
    """A private file or directory that cannot be made or written; names the path."""


def ensure_private_dir(path: Path) -> Path:
    """Creates ``path`` (and parents) if needed; a directory this hub made is 0700."""
    if path.exists() and not path.is_dir():
        raise PrivateFileError(f"{path}: the data directory is a file, not a directory")
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    except OSError as error:
        raise PrivateFileError(
            f"{path}: cannot create the data directory: {error.strerror}"
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise PrivateFileError(f"{path}: the data directory is not writable by this user")
    return path


def write_private(path: Path, data: bytes) -> None:
    """Writes ``data`` to ``path`` as a 0600 file, replacing it whole."""
    ensure_private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.new")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        # A file that existed with looser bits keeps them through O_CREAT: set them here.
        os.chmod(temporary, PRIVATE_FILE_MODE)
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise PrivateFileError(f"{path}: cannot write: {error.strerror}") from None


def claim_private_file(path: Path) -> None:
    """Makes ``path`` an empty file only its owner may read, before anything intimate is
    written to it (an export, a recording the user named with ``--out``): created 0600, or
    narrowed to 0600 if it was there before (O_CREAT keeps an existing file's mode), never a
    device such as /dev/null. Its directory is the caller's to choose and make; none is made
    here."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.fchmod(descriptor, PRIVATE_FILE_MODE)
    finally:
        os.close(descriptor)


def readable_by_others(directory: Path) -> list[Path]:
    """The data directory itself and any file in it that another local user can read."""
    if not directory.is_dir():
        return []
    exposed = [directory] if directory.stat().st_mode & 0o077 else []
    for entry in sorted(directory.rglob("*")):
        with contextlib.suppress(OSError):
            mode = entry.lstat().st_mode
            if stat.S_ISREG(mode) and mode & 0o044:
                exposed.append(entry)
    return exposed
