"""The short check before a session. Read out (page and CLI); nothing of it is asked for,
answered or stored: it is not medical data, and the hub keeps no trace of it."""

from __future__ import annotations

PRE_SESSION_CHECK: tuple[str, ...] = (
    "Before you begin, check together:",
    "Postpone if either of you has a contagious skin condition, an open wound, "
    "or an illness that can be passed on.",
    "Ask a clinician first after recent surgery, with circulation problems, or in pregnancy.",
    "Trying a new oil? Patch-test a little on the inside of the arm a day before.",
    "Say your spoken safeword out loud once. It always counts, with or without the wearables.",
)
