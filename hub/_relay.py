"""The MQTT relay: publishes this hub's signals, acks and states, and hears everyone's.

Outgoing messages wait in an outbox until the broker has acknowledged them (QoS 1), so a
signal made while the broker is away is sent once it is back; receivers drop the
duplicates that at-least-once delivery brings. The hub keeps a persistent MQTT session (a
stable client id, no clean session), so what is published for it while it is away is kept
for it by the broker. It announces itself on its own retained status topic (``offline`` as
its last will) and sends a heartbeat every second, so its partner's hub notices it frozen.

Every outgoing payload is serialised in :meth:`MqttRelay._serialise` and every incoming one
decoded in :meth:`MqttRelay._decode`: the one place each for anything that wraps payloads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

import aiomqtt

from firmware_bridge import Backoff
from hub._broker import NO_DELAY, BrokerAddress
from hub._broker_trouble import BrokerTrouble
from hub._inbox import Inbox
from hub._messages import (
    AckMessage,
    AnyMessage,
    HubStatusMessage,
    MessageError,
    SignalMessage,
    StateMessage,
    decode,
    utc_now,
)
from hub._signing import MessageSeal, SealRefused
from hub._topics import HubTopicKind, TopicKind, Topics
from hub.rules import ALIVE_INTERVAL_S

log = logging.getLogger(__name__)

M = TypeVar("M", SignalMessage, AckMessage, StateMessage, HubStatusMessage)

# The broker declares this hub gone (and publishes its will) after 1.5 keepalives of
# silence; short, because the partners are told to pause when their hub is gone.
KEEPALIVE_S = 2
# Reconnect quickly: while the broker is away, signals only reach a partner on this hub.
BROKER_BACKOFF = Backoff(first_s=0.25, max_s=5.0)
# How long a goodbye ("offline") may take when the hub shuts down.
GOODBYE_TIMEOUT_S = 1.0
# Connecting and subscribing; a broker slower than this is treated as gone.
CONNECT_TIMEOUT_S = 10.0
# Topics of the partner's side heard sealed with another key, kept for the page: a partner hub
# with another pair key uses a handful; the bound only stops junk on made-up names growing it.
FOREIGN_TOPICS_KEPT = 32
# The broker's PUBACK for one message. Keepalive notices a dead link sooner; this only
# catches a broker that is connected but stuck.
PUBLISH_TIMEOUT_S = 10.0


def _tls(broker: BrokerAddress) -> aiomqtt.TLSParameters | None:
    if not broker.tls:
        return None
    return aiomqtt.TLSParameters(
        ca_certs=str(broker.ca_file) if broker.ca_file else None,
        certfile=str(broker.cert_file) if broker.cert_file else None,
        keyfile=str(broker.key_file) if broker.key_file else None,
    )


class RelayHook(Protocol):
    """Something else riding on the hub's connection (Home Assistant discovery): it hears
    its own subscriptions and publishes through the relay's outbox."""

    def subscriptions(self) -> list[str]: ...
    def on_connect(self) -> None: ...
    def on_message(self, topic: str, payload: bytes) -> None: ...


class RelayListener(Protocol):
    def on_signal(self, wearer: str, message: SignalMessage) -> None: ...
    def on_ack(self, wearer: str, message: AckMessage) -> None: ...
    def on_state(self, wearer: str, message: StateMessage) -> None: ...
    def on_broker(self, connected: bool) -> None: ...
    def on_hub(self, hub: str, message: HubStatusMessage, *, alive: bool) -> None: ...


_KINDS: dict[type[SignalMessage | AckMessage | StateMessage], TopicKind] = {
    SignalMessage: TopicKind.SIGNAL,
    AckMessage: TopicKind.ACK,
    StateMessage: TopicKind.STATE,
}


@dataclass(slots=True)
class _Outgoing:
    topic: str
    # The bytes to send, or what seals them: sealed when first sent, so that a signal's
    # state, published right after it, is not sealed while the signal still waits to leave.
    # A resend sends the same bytes, which receivers take as a repeat.
    content: bytes | Callable[[], bytes]
    retain: bool

    def payload(self) -> bytes:
        if not isinstance(self.content, bytes):
            self.content = self.content()
        return self.content


async def _together(*jobs: Coroutine[Any, Any, None]) -> None:
    """Runs ``jobs`` until one fails (its error is raised, the others cancelled) or this task
    is cancelled (the cancellation is raised, always).

    Not a TaskGroup: on Python 3.11 a TaskGroup whose child fails just as its own task is
    cancelled raises the child's error and drops the cancellation, so a hub told to stop at
    the moment its broker went away took the error for a lost broker and reconnected forever.
    """
    tasks = [asyncio.create_task(job) for job in jobs]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
    for task in tasks:
        if not task.cancelled() and (error := task.exception()) is not None:
            raise error


class MqttRelay:
    def __init__(
        self,
        broker: BrokerAddress,
        topics: Topics,
        *,
        hub_id: str,
        wearers: list[str],
        client_id: str | None = None,
        seal: MessageSeal,
        on_refused: Callable[[str, SealRefused], None] = lambda topic, refusal: None,
    ) -> None:
        self.broker = broker
        self.topics = topics
        self.hub_id = hub_id
        self.wearers = wearers
        # Stable across restarts: the broker keeps this hub's session (and what is queued
        # for it) under this id.
        self.client_id = client_id or f"comfort-hub-{topics.pair}-{hub_id}"
        self._trouble = BrokerTrouble(broker, self.client_id)
        self.connected = asyncio.Event()
        self.bad_payloads = 0
        # Messages not sealed with the pair's key, or replaying an old counter.
        self.refused = 0
        # Topics heard in plaintext while this hub encrypts: said once each, counted always.
        self._plaintext_topics: set[str] = set()
        # The partner's side's topics heard sealed with another key (the pair keys differ?),
        # oldest first: the page names them with the cure.
        self.foreign_topics: list[str] = []
        self._seal = seal
        self._on_refused = on_refused
        self._outbox: deque[_Outgoing] = deque()
        self._outbox_changed = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()
        self._hooks: list[RelayHook] = []

    @property
    def status_topic(self) -> str:
        """Where this hub's own retained status (and its last will) is published."""
        return self.topics.hub(self.hub_id, HubTopicKind.STATUS)

    def add_hook(self, hook: RelayHook) -> None:
        """Adds ``hook`` from the next connection on."""
        self._hooks.append(hook)

    # -- publishing -------------------------------------------------------------------------

    def publish(self, wearer: str, message: SignalMessage | AckMessage | StateMessage) -> None:
        """Sends ``message`` on ``wearer``'s topic of its kind."""
        kind = _KINDS[type(message)]
        topic = self.topics.of(wearer, kind)
        # States are retained, and so is the last ack: a hub that was away still hears it.
        retain = kind is not TopicKind.SIGNAL
        self._enqueue(_Outgoing(topic, lambda: self._serialise(topic, message), retain))

    def publish_rehearsal(self, wearer: str, message: SignalMessage) -> None:
        # Its own topic: a listener of real signals never mistakes a rehearsal for one.
        topic = self.topics.rehearsal(wearer)
        self._enqueue(_Outgoing(topic, lambda: self._serialise(topic, message), False))

    def _serialise(self, topic: str, message: AnyMessage) -> bytes:
        # Sealed with a fresh counter: a retained state or ack published again after a
        # reconnect is a new message, never a replay of the old one. A resend of the same
        # outbox entry keeps its counter, which receivers take as a repeat.
        return self._seal.seal(topic, message.to_json())

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

    def close(self) -> None:
        """At a clean shutdown: the replay memory is written as it stands."""
        self._seal.close()

    def _status(self, kind: HubTopicKind, status: Literal["online", "offline"]) -> bytes:
        message = HubStatusMessage(
            status=status, hub=self.hub_id, wearers=self.wearers, at=utc_now()
        )
        return self._serialise(self.topics.hub(self.hub_id, kind), message)

    def publish_sealed(self, topic: str, payload: bytes, *, retain: bool) -> None:
        """A hook's JSON object on one of the pair's topics, sealed like the pair's own."""
        self._enqueue(_Outgoing(topic, self._seal.seal(topic, payload), retain))

    def open_sealed(self, topic: str, payload: bytes) -> bytes | None:
        """A hook's sealed message as its sender wrote it, or None when refused (counted and
        reported like any refusal). It is never history: what it says stays true (an
        agreement made last week still holds)."""
        try:
            return self._seal.open(topic, payload, news_only=False)
        except SealRefused as refusal:
            self._refuse(topic, refusal, retained=False)
            return None

    def publish_raw(self, topic: str, payload: bytes, *, retain: bool) -> None:
        """Any other message (a hook's), at QoS 1 through the same outbox."""
        self._enqueue(_Outgoing(topic, payload, retain=retain))

    def _enqueue(self, outgoing: _Outgoing) -> None:
        self._outbox.append(outgoing)
        self._drained.clear()
        self._outbox_changed.set()

    @property
    def unsent(self) -> list[str]:
        """The topics of what waits in the outbox for the broker's acknowledgement, oldest
        first."""
        return [outgoing.topic for outgoing in self._outbox]

    async def drained(self) -> None:
        """Waits until the broker has acknowledged everything published so far, including
        anything published while waiting."""
        while True:
            await self._drained.wait()
            # Something may have been published between the wake-up and now: wait for it too.
            if self._drained.is_set():
                return

    # -- the connection -------------------------------------------------------------------

    async def run(self, listener: RelayListener) -> None:
        """Stays connected to the broker until cancelled, reconnecting after any loss."""
        failures = 0
        while True:
            reason, errors = "connection closed", []
            try:
                await self._session(listener)
            except* (aiomqtt.MqttError, TimeoutError) as group:
                errors = list(group.exceptions)
                reason = "; ".join(str(e) for e in errors)
            # Said once: what retrying will not mend (refused credentials, a stolen client id).
            if hint := self._trouble.lost(errors, asyncio.get_running_loop().time()):
                log.warning("%s", hint)
            if self.connected.is_set():
                self.connected.clear()
                failures = 0
                listener.on_broker(False)
            failures += 1
            delay = BROKER_BACKOFF.delay(failures)
            log.warning("MQTT broker %s: %s; reconnecting in %.1f s", self.broker, reason, delay)
            await asyncio.sleep(delay)

    async def _session(self, listener: RelayListener) -> None:
        status_topic = self.topics.hub(self.hub_id, HubTopicKind.STATUS)
        # "online" is sealed before the will, so the will's counter is the higher one and
        # an "offline" published by the broker after a crash is not refused as a replay.
        online = self._status(HubTopicKind.STATUS, "online")
        will = self._status(HubTopicKind.STATUS, "offline")
        inbox = Inbox(lambda message: self._receive(message, listener))
        client = aiomqtt.Client(
            self.broker.host,
            self.broker.port,
            username=self.broker.username,
            password=self.broker.password,
            tls_params=_tls(self.broker),
            identifier=self.client_id,
            clean_session=False,
            keepalive=KEEPALIVE_S,
            will=aiomqtt.Will(status_topic, will, qos=1, retain=True),
            socket_options=NO_DELAY,
            # Every wait is bounded here with asyncio.timeout instead: aiomqtt's own timeouts
            # use asyncio.wait_for, which on Python 3.11 can swallow a cancellation.
            timeout=math.inf,
            queue_type=inbox.queue_type,
        )
        connection = contextlib.AsyncExitStack()
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                await connection.enter_async_context(client)
                self._trouble.accepted(asyncio.get_running_loop().time())
                await client.publish(status_topic, online, qos=1, retain=True)
                for topic in self.topics.subscriptions():
                    await client.subscribe(topic, qos=1)
                for hook in self._hooks:
                    for topic in hook.subscriptions():
                        await client.subscribe(topic, qos=1)
            self.connected.set()
            listener.on_broker(True)
            for hook in self._hooks:
                hook.on_connect()
            inbox.open()
            try:
                await _together(
                    self._send(client), self._until_disconnected(client), self._beat(client)
                )
            except asyncio.CancelledError:
                # A clean shutdown says goodbye itself; the will is for a crash.
                with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
                    async with asyncio.timeout(GOODBYE_TIMEOUT_S):
                        await client.publish(
                            status_topic,
                            self._status(HubTopicKind.STATUS, "offline"),
                            qos=1,
                            retain=True,
                        )
                raise
        finally:
            with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
                async with asyncio.timeout(GOODBYE_TIMEOUT_S):
                    await connection.aclose()

    async def _send(self, client: aiomqtt.Client) -> None:
        while True:
            self._outbox_changed.clear()
            while self._outbox:
                outgoing = self._outbox[0]
                async with asyncio.timeout(PUBLISH_TIMEOUT_S):
                    await client.publish(
                        outgoing.topic, outgoing.payload(), qos=1, retain=outgoing.retain
                    )
                # Only now is it the broker's: a loss before this line sends it again.
                self._outbox.popleft()
            self._drained.set()
            await self._outbox_changed.wait()

    async def _beat(self, client: aiomqtt.Client) -> None:
        """The heartbeat: not retained, not queued; only its absence means anything."""
        topic = self.topics.hub(self.hub_id, HubTopicKind.ALIVE)
        while True:
            # Each beat sealed afresh: a recorded beat played back is an old counter.
            await client.publish(topic, self._status(HubTopicKind.ALIVE, "online"), qos=0)
            await asyncio.sleep(ALIVE_INTERVAL_S)

    async def _until_disconnected(self, client: aiomqtt.Client) -> None:
        # The inbox hands every message on as it is read, so none ever arrives here; the
        # iteration ends the session with MqttError as soon as the connection drops.
        async for _ in client.messages:
            pass

    def _receive(self, message: aiomqtt.Message, listener: RelayListener) -> None:
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
        if retained and refusal.history:
            # Kept by the broker from long before this hub started (a level still held is
            # said again, freshly, when its hub sees this one come online).
            log.info("%s (kept by the broker; not news)", refusal)
            return
        if retained and refusal.stale and self._is_own(topic):
            # The broker's retained copy of an older message of this hub's own, handed over
            # on (re)subscribing (a broker that kept an earlier one than this hub last heard
            # back): it alerts nobody, and this hub publishes its current one itself.
            log.debug("%s (an older copy of this hub's own message)", refusal)
            return
        self.refused += 1
        if refusal.foreign and not self._is_own(topic):
            first = (
                topic not in self.foreign_topics and len(self.foreign_topics) < FOREIGN_TOPICS_KEPT
            )
            if first:
                self.foreign_topics.append(topic)
            if self._is_heartbeat(topic) and not first:
                # A partner hub with another pair key beats every second: said once (the
                # partner is told unreachable meanwhile), counted always. A signal, state or
                # ack refused so is said each time: each one is a message that did not arrive.
                log.debug("%s (%d refused so far)", refusal, self.refused)
                return
        if refusal.plaintext:
            # A partner hub without encryption sends on every topic, heartbeats every second:
            # once per topic is enough to say why, the count says how many.
            if topic in self._plaintext_topics:
                return
            self._plaintext_topics.add(topic)
        log.warning("%s (%d refused so far)", refusal, self.refused)
        self._on_refused(topic, refusal)

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
