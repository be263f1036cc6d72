"""The ``--data-dir`` option the commands that read or write the event store share."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help=(
            "where sessions and events are kept (default: COMFORT_HUB_DATA_DIR, else the "
            "platform's user data directory)"
        ),
    )


def data_dir(args: argparse.Namespace) -> Path:
    from hub._config import default_data_dir

    chosen: Path | None = args.data_dir
    return chosen if chosen is not None else default_data_dir()


def store_path(args: argparse.Namespace) -> Path:
    from hub.store import DATABASE_NAME

    return data_dir(args) / DATABASE_NAME
