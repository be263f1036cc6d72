"""Everything the relay hears: the hooks' topics handed to them, this hub's own messages back
from the broker noted, and the rest opened (seal, counter), decoded and handed to the
listener, or refused (see :mod:`hub._refusals`). A bad message is counted and said; nothing
in it may stop the relay hearing the next one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import aiomqtt

from hub._messages import (
    AckMessage,
    HubStatusMessage,
    MessageError,
    SignalMessage,
    StateMessage,
    decode,
)
from hub._refusals import Refusals
from hub._relay_ports import RelayHook, RelayListener
from hub._signing import MessageSeal, SealRefused
from hub._topics import HubTopicKind, TopicKind, Topics

# Under the relay's name: what it hears and refuses is said as the relay's, as it always was.
log = logging.getLogger("hub._relay")

M = TypeVar("M", SignalMessage, AckMessage, StateMessage, HubStatusMessage)


class Hearing:
    def __init__(
        self,
        topics: Topics,
        seal: MessageSeal,
        *,
        hub_id: str,
        wearers: list[str],
        hooks: list[RelayHook],
        on_refused: Callable[[str, SealRefused], None],
    ) -> None:
        self.topics = topics
        self.hub_id = hub_id
        self.wearers = wearers
        self.bad_payloads = 0
        self.refusals = Refusals(on_refused)
        self._seal = seal
        self._hooks = hooks

    def open_sealed(self, topic: str, payload: bytes) -> bytes | None:
        """A hook's sealed message as its sender wrote it, or None when refused (counted and
        reported like any refusal). It is never history: what it says stays true (an
        agreement made last week still holds)."""
        try:
            return self._seal.open(topic, payload, news_only=False)
        except SealRefused as refusal:
            self._refuse(topic, refusal, retained=False)
            return None

    def receive(self, message: aiomqtt.Message, listener: RelayListener) -> None:
        """One message as paho read it (see :mod:`hub._inbox`)."""
        payload = message.payload
        if not isinstance(payload, bytes | bytearray):
            return
        for hook in self._hooks:
            if any(message.topic.matches(topic) for topic in hook.subscriptions()):
                try:
                    hook.on_message(str(message.topic), bytes(payload))
                except Exception:
                    # Nothing a hook does may stop the relay hearing the next signal.
                    log.exception("error in %s on %s", type(hook).__name__, message.topic)
        topic = str(message.topic)
        if self._seal.heard_own(topic, bytes(payload), frequent=self._is_heartbeat(topic)):
            # This hub's own message back from the broker (it listens on its own wearers'
            # topics to catch anyone else speaking for them): nothing to open or act on.
            return
        self._dispatch(topic, bytes(payload), listener, retained=message.retain)

    def _dispatch(
        self, topic: str, payload: bytes, listener: RelayListener, *, retained: bool = False
    ) -> None:
        try:
            self._hand_on(topic, payload, listener)
        except SealRefused as refusal:
            self._refuse(topic, refusal, retained=retained)
        except MessageError as error:
            self.bad_payloads += 1
            log.warning("%s (ignored; %d so far)", error, self.bad_payloads)
        except Exception:
            # A bug in handling one message must not stop the relay for every later one.
            log.exception("error handling a message on %s", topic)

    def _refuse(self, topic: str, refusal: SealRefused, *, retained: bool) -> None:
        self.refusals.judge(
            topic,
            refusal,
            retained=retained,
            own=self._is_own(topic),
            heartbeat=self._is_heartbeat(topic),
        )

    def _is_own(self, topic: str) -> bool:
        hub = self.topics.parse_hub(topic)
        if hub is not None:
            return hub[0] == self.hub_id
        parsed = self.topics.parse(topic)
        return parsed is not None and parsed[0] in self.wearers

    def _hand_on(self, topic: str, payload: bytes, listener: RelayListener) -> None:
        if not payload:
            return  # a cleared retained message
        hub = self.topics.parse_hub(topic)
        if hub is not None:
            hub_id, hub_kind = hub
            status = self._decode(HubStatusMessage, topic, payload)
            if status.hub != hub_id:
                raise MessageError(topic, payload, f"hub: {status.hub!r} is not {hub_id!r}")
            listener.on_hub(hub_id, status, alive=hub_kind is HubTopicKind.ALIVE)
            return
        parsed = self.topics.parse(topic)
        if parsed is None:
            return
        wearer, kind = parsed
        if kind is TopicKind.SIGNAL:
            listener.on_signal(wearer, self._decode(SignalMessage, topic, payload))
        elif kind is TopicKind.ACK:
            listener.on_ack(wearer, self._decode(AckMessage, topic, payload))
        else:
            listener.on_state(wearer, self._decode(StateMessage, topic, payload))

    def _decode(self, model: type[M], topic: str, payload: bytes) -> M:
        # An old status is still true ("offline" stays so); an old signal, ack or state is
        # history.
        opened = self._seal.open(
            topic,
            payload,
            frequent=self._is_heartbeat(topic),
            news_only=self._hub_kind(topic) is not HubTopicKind.STATUS,
        )
        return decode(model, topic, opened)

    def _hub_kind(self, topic: str) -> HubTopicKind | None:
        hub = self.topics.parse_hub(topic)
        return hub[1] if hub is not None else None

    def _is_heartbeat(self, topic: str) -> bool:
        # Heartbeats come every second: their memory is written every few.
        return self._hub_kind(topic) is HubTopicKind.ALIVE
