"""The MQTT relay: publishes this hub's signals, acks and states, and hears everyone's.

Outgoing messages wait in an outbox until the broker has acknowledged them (QoS 1), so a
signal made while the broker is away is sent once it is back; receivers drop the
duplicates that at-least-once delivery brings. The hub keeps a persistent MQTT session (a
stable client id, no clean session), so what is published for it while it is away is kept
for it by the broker. It announces itself on its own retained status topic (``offline`` as
its last will) and sends a heartbeat every second, so its partner's hub notices it frozen.

Every outgoing payload is serialised in :meth:`MqttRelay._serialise` and every incoming one
decoded in :meth:`hub._hearing.Hearing._decode`: the one place each for anything that wraps
payloads. What waits to be sent is in :mod:`hub._outbox`; what is heard, in :mod:`hub._hearing`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable
from typing import Literal, TypeVar

import aiomqtt

from firmware_bridge import Backoff
from hub._broker import NO_DELAY, BrokerAddress, tls_parameters
from hub._broker_trouble import BrokerTrouble
from hub._hearing import Hearing
from hub._inbox import Inbox
from hub._messages import (
    AckMessage,
    AnyMessage,
    HubStatusMessage,
    SignalMessage,
    StateMessage,
    utc_now,
)
from hub._outbox import Outbox, Outgoing
from hub._relay_ports import RelayHook, RelayListener
from hub._signing import MessageSeal, SealRefused
from hub._together import together
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
# The broker's PUBACK for one message. Keepalive notices a dead link sooner; this only
# catches a broker that is connected but stuck.
PUBLISH_TIMEOUT_S = 10.0


_KINDS: dict[type[SignalMessage | AckMessage | StateMessage], TopicKind] = {
    SignalMessage: TopicKind.SIGNAL,
    AckMessage: TopicKind.ACK,
    StateMessage: TopicKind.STATE,
}


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
        self._seal = seal
        self._outbox = Outbox()
        self._hooks: list[RelayHook] = []
        self._hearing = Hearing(
            topics,
            seal,
            hub_id=hub_id,
            wearers=wearers,
            hooks=self._hooks,
            on_refused=on_refused,
        )

    @property
    def refused(self) -> int:
        """Messages not sealed with the pair's key, or replaying an old counter."""
        return self._hearing.refusals.count

    @property
    def bad_payloads(self) -> int:
        """Messages on the pair's topics that do not follow the protocol."""
        return self._hearing.bad_payloads

    @property
    def foreign_topics(self) -> list[str]:
        """The partner's side's topics heard sealed with another key, oldest first."""
        return self._hearing.refusals.foreign_topics

    def open_sealed(self, topic: str, payload: bytes) -> bytes | None:
        """A hook's sealed message as its sender wrote it, or None when refused (counted and
        reported like any refusal). It is never history: what it says stays true (an
        agreement made last week still holds)."""
        return self._hearing.open_sealed(topic, payload)

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
        self._enqueue(Outgoing(topic, lambda: self._serialise(topic, message), retain))

    def publish_rehearsal(self, wearer: str, message: SignalMessage) -> None:
        # Its own topic: a listener of real signals never mistakes a rehearsal for one.
        topic = self.topics.rehearsal(wearer)
        self._enqueue(Outgoing(topic, lambda: self._serialise(topic, message), False))

    def _serialise(self, topic: str, message: AnyMessage) -> bytes:
        # Sealed with a fresh counter: a retained state or ack published again after a
        # reconnect is a new message, never a replay of the old one. A resend of the same
        # outbox entry keeps its counter, which receivers take as a repeat.
        return self._seal.seal(topic, message.to_json())

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
        self._enqueue(Outgoing(topic, self._seal.seal(topic, payload), retain))

    def publish_raw(self, topic: str, payload: bytes, *, retain: bool) -> None:
        """Any other message (a hook's), at QoS 1 through the same outbox."""
        self._enqueue(Outgoing(topic, payload, retain=retain))

    def _enqueue(self, outgoing: Outgoing) -> None:
        self._outbox.put(outgoing)

    @property
    def unsent(self) -> list[str]:
        """The topics of what waits in the outbox for the broker's acknowledgement, oldest
        first."""
        return self._outbox.topics

    async def drained(self) -> None:
        """Waits until the broker has acknowledged everything published so far, including
        anything published while waiting."""
        await self._outbox.drained()

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
        inbox = Inbox(lambda message: self._hearing.receive(message, listener))
        client = aiomqtt.Client(
            self.broker.host,
            self.broker.port,
            username=self.broker.username,
            password=self.broker.password,
            tls_params=tls_parameters(self.broker),
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
                await together(
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
            while (outgoing := self._outbox.first()) is not None:
                async with asyncio.timeout(PUBLISH_TIMEOUT_S):
                    await client.publish(
                        outgoing.topic, outgoing.payload(), qos=1, retain=outgoing.retain
                    )
                # Only now is it the broker's: a loss before this line sends it again.
                self._outbox.sent()
            await self._outbox.changed()

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
