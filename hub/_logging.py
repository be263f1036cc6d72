"""Logging for the command line: quiet by default, ``-v`` for detail, JSON for journald.

What the hub does in a session goes to the console reporter and the event journal, not to
the log; the log is for the operator: warnings (a broker lost, a device not found) and,
with ``-v``, the detail behind them.
"""

from __future__ import annotations

import logging
import sys
from enum import StrEnum

from pythonjsonlogger.json import JsonFormatter


class LogFormat(StrEnum):
    TEXT = "text"
    # One JSON object per line: journald keeps each as one entry, and `journalctl -o cat`
    # piped to jq can filter on level or logger.
    JSON = "json"


# Libraries whose chatter (sessions, queues at shutdown) is not the operator's unless asked.
_NOISY_LIBRARIES = ("amqtt", "transitions")


def configure_logging(*, verbose: bool, log_format: LogFormat = LogFormat.TEXT) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if log_format is LogFormat.JSON:
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}",
                style="{",
                rename_fields={"levelname": "level", "name": "logger", "asctime": "time"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    for name in _NOISY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.ERROR)
