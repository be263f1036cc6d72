"""What the relay does with a message it refused (not sealed with the pair's key, a replay,
history, plaintext while this hub encrypts): counted always, said as often as it helps.

Said once: a partner hub with another pair key beats every second, and one without
encryption sends on every topic; its signals, states and acks refused so are said each time,
each being a message that did not arrive. Not counted at all: what the broker kept from long
before this hub started, and older retained copies of this hub's own messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from hub._signing import SealRefused

# Under the relay's name: what it hears and refuses is said as the relay's, as it always was.
log = logging.getLogger("hub._relay")

# Topics of the partner's side heard sealed with another key, kept for the page: a partner hub
# with another pair key uses a handful; the bound only stops junk on made-up names growing it.
FOREIGN_TOPICS_KEPT = 32


class Refusals:
    def __init__(self, on_refused: Callable[[str, SealRefused], None]) -> None:
        self._on_refused = on_refused
        # Messages not sealed with the pair's key, or replaying an old counter.
        self.count = 0
        # Topics heard in plaintext while this hub encrypts: said once each, counted always.
        self._plaintext_topics: set[str] = set()
        # The partner's side's topics heard sealed with another key (the pair keys differ?),
        # oldest first: the page names them with the cure.
        self.foreign_topics: list[str] = []

    def judge(
        self, topic: str, refusal: SealRefused, *, retained: bool, own: bool, heartbeat: bool
    ) -> None:
        """``own``: ``topic`` is this hub's own; ``heartbeat``: it is a heartbeat topic."""
        if retained and refusal.history:
            # Kept by the broker from long before this hub started (a level still held is
            # said again, freshly, when its hub sees this one come online).
            log.info("%s (kept by the broker; not news)", refusal)
            return
        if retained and refusal.stale and own:
            # The broker's retained copy of an older message of this hub's own, handed over
            # on (re)subscribing (a broker that kept an earlier one than this hub last heard
            # back): it alerts nobody, and this hub publishes its current one itself.
            log.debug("%s (an older copy of this hub's own message)", refusal)
            return
        self.count += 1
        if refusal.foreign and not own:
            first = (
                topic not in self.foreign_topics and len(self.foreign_topics) < FOREIGN_TOPICS_KEPT
            )
            if first:
                self.foreign_topics.append(topic)
            if heartbeat and not first:
                # A partner hub with another pair key beats every second: said once (the
                # partner is told unreachable meanwhile), counted always. A signal, state or
                # ack refused so is said each time: each one is a message that did not arrive.
                log.debug("%s (%d refused so far)", refusal, self.count)
                return
        if refusal.plaintext:
            # A partner hub without encryption sends on every topic, heartbeats every second:
            # once per topic is enough to say why, the count says how many.
            if topic in self._plaintext_topics:
                return
            self._plaintext_topics.add(topic)
        log.warning("%s (%d refused so far)", refusal, self.count)
        self._on_refused(topic, refusal)
