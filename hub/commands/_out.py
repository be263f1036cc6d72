"""``--out FILE`` of the commands that write one file (``timeline``, ``record``).

The file goes exactly where it is named: a missing directory is an error naming it, never made
silently (as root, with whatever mode the umask gives). Checked before any work, so a long
recording is not lost to a typo at the end. (``broker-config --out DIR`` names a directory of
the broker's private files, and makes it 0700 if missing, as the data directory is.)
"""

from __future__ import annotations

import os
from pathlib import Path


def unwritable(out: Path) -> str | None:
    """Why ``out`` cannot be written as named (one line, naming it), or None."""
    if out.is_dir():
        return f"--out {out} is a directory: name the file to write"
    if out.exists():
        return None if os.access(out, os.W_OK) else f"--out {out} is not writable by this user"
    folder = out.parent
    if not folder.exists():
        return f"--out {out}: the directory {folder} does not exist (create it first)"
    if not folder.is_dir():
        return f"--out {out}: {folder} is not a directory"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"--out {out}: the directory {folder} is not writable by this user"
    return None
