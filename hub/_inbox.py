"""Incoming MQTT messages handed on as they are read, not queued for a task to pick up.

aiomqtt puts every message it reads into a queue, and ``client.messages`` hands it to the
task iterating it: three turns of the event loop later (the queue's getter task, the wait
on it, the iterating task), each of which lets whatever else is ready run first. A partner's
stop should not wait behind them. aiomqtt lets the queue's class be chosen (``queue_type``);
:class:`Inbox` gives it one whose ``put_nowait`` calls the handler at once, inside paho's
read of the socket. paho acknowledges a QoS 1 message only after that call returns, so a
message is now handled before the broker lets go of it, never after.

Messages read before the relay has announced the connection (retained ones, while it is
still subscribing) are held and handed on in order by :meth:`Inbox.open`, so the listener
still hears "connected" first, as it did when they waited in the queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import aiomqtt

log = logging.getLogger(__name__)


class Inbox:
    """For one connection: pass :attr:`queue_type` to ``aiomqtt.Client``."""

    def __init__(self, handle: Callable[[aiomqtt.Message], None]) -> None:
        self._handle = handle
        self._held: list[aiomqtt.Message] = []
        self._open = False
        inbox = self

        class HandingOn(asyncio.Queue[aiomqtt.Message]):
            # Nothing is ever queued, so ``client.messages`` yields nothing; iterating it
            # still ends with MqttError when the connection drops.
            def put_nowait(self, item: aiomqtt.Message) -> None:
                inbox._take(item)

        self.queue_type: type[asyncio.Queue[aiomqtt.Message]] = HandingOn

    def open(self) -> None:
        """Hands on what was held, then every later message as it arrives."""
        self._open = True
        held, self._held = self._held, []
        for message in held:
            self._hand_on(message)

    def _take(self, message: aiomqtt.Message) -> None:
        if self._open:
            self._hand_on(message)
        else:
            self._held.append(message)

    def _hand_on(self, message: aiomqtt.Message) -> None:
        try:
            self._handle(message)
        except Exception:
            # Raised into paho's read, an error would drop the connection; log it instead.
            log.exception("error handling a message on %s", message.topic)
