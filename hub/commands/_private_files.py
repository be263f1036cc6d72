"""The pair's own files beside the event store that ``erase --all`` removes with it.

The tap calibrations, and a practice file (agreement, plan, feedback) an older hub left and no
hub has imported into the store since, are small JSON files. Each is overwritten with zeros
and flushed before it is unlinked, so the words are not simply left in freed blocks; on flash
or copy-on-write file systems that is the best a program can do, which the erase command's
help says.
"""

from __future__ import annotations

import os
from pathlib import Path


def private_files(data_dir: Path) -> list[Path]:
    """Practice files and tap calibrations (with any half-written copies) in ``data_dir``."""
    from hub._tap_calibrations import FILE_NAME
    from hub.practice import practice_files

    if not data_dir.is_dir():
        return []
    calibrations = [
        path
        for path in data_dir.iterdir()
        if path.name == FILE_NAME or path.name.startswith(f".{FILE_NAME.removesuffix('.json')}-")
    ]
    return sorted([*practice_files(data_dir), *calibrations])


def remove_private_files(data_dir: Path) -> list[Path]:
    """Overwrites and removes :func:`private_files`; returns the paths removed."""
    removed = private_files(data_dir)
    for path in removed:
        with path.open("r+b") as file:
            file.write(bytes(path.stat().st_size))
            file.flush()
            os.fsync(file.fileno())
        path.unlink()
    return removed
