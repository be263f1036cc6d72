"""How ``comfort-hub run`` is stopped: SIGTERM or Ctrl-C asks for a clean stop, which is
bounded; a second SIGTERM or Ctrl-C stops the process at once.

A clean stop tells the wearables, gives the broker up to ``shutdown_send_timeout_s`` to take
what is still unsent and says which messages it did not take (held levels are saved before
they are sent, and said again at the next start).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterable

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def describe_unsent(topics: Iterable[str], pair: str) -> str | None:
    """One line naming what the broker never took, or None when it took everything."""
    prefix = f"comfort/v1/{pair}/"
    names = [t.removeprefix(prefix) for t in topics]
    if not names:
        return None
    return (
        f"the broker did not take {len(names)} message(s): {', '.join(names)}; "
        "held levels are saved and said again at the next start"
    )


class StopRequests:
    """The first stop signal sets :attr:`asked`; a second one calls ``last_words`` (to say what
    is left unsent) and ends the process at once with ``128 + signal``, as a shell reports a
    process ended by that signal."""

    def __init__(
        self,
        say: Callable[[str], None],
        *,
        exit_now: Callable[[int], object] = os._exit,
    ) -> None:
        self.asked = asyncio.Event()
        self.last_words: Callable[[], str | None] = lambda: None
        self._say = say
        self._exit_now = exit_now

    def install(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, self._signalled, sig)

    def uninstall(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)

    def _signalled(self, sig: signal.Signals) -> None:
        if not self.asked.is_set():
            self.asked.set()
            return
        self.stop_now(f"{sig.name} again", 128 + sig)

    def stop_now(self, why: str, status: int) -> None:
        """Ends the process without waiting for anything more."""
        words = self.last_words()
        self._say(f"{why}: stopping at once" + (f"; {words}" if words else ""))
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        self._exit_now(status)
