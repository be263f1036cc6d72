"""The installed release of comfort-hub, for --version and for what the hub tells others."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    try:
        return version("comfort-hub")
    except PackageNotFoundError:
        return "unknown (not installed)"
