"""The MQTT relay: publishes this hub's signals, acks and states, and hears everyone's.

Outgoing messages wait in an outbox until the broker has acknowledged them (QoS 1), so a
signal made while the broker is away is sent once it is back; receivers drop the
duplicates that at-least-once delivery brings.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

import aiomqtt

from firmware_bridge import Backoff
from hub._broker import BrokerAddress
from hub._messages import (
    AckMessage,
    MessageError,
    SignalMessage,
    StateMessage,
    decode,
)
from hub._signing import MessageSeal, SealRefused
from hub._topics import TopicKind, Topics

log = logging.getLogger(__name__)

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


def _tls(broker: BrokerAddress) -> aiomqtt.TLSParameters | None:
    if not broker.tls:
        return None
    return aiomqtt.TLSParameters(
        ca_certs=str(broker.ca_file) if broker.ca_file else None,
        certfile=str(broker.cert_file) if broker.cert_file else None,
        keyfile=str(broker.key_file) if broker.key_file else None,
    )


class RelayListener(Protocol):
    def on_signal(self, wearer: str, message: SignalMessage) -> None: ...
    def on_ack(self, wearer: str, message: AckMessage) -> None: ...
    def on_state(self, wearer: str, message: StateMessage) -> None: ...
    def on_broker(self, connected: bool) -> None: ...
    def on_hub_status(self, online: bool) -> None: ...


@dataclass(frozen=True, slots=True)
class _Outgoing:
    topic: str
    payload: bytes
    retain: bool


class MqttRelay:
    def __init__(
        self,
        broker: BrokerAddress,
        topics: Topics,
        *,
        client_id: str,
        seal: MessageSeal,
        on_refused: Callable[[str, SealRefused], None] = lambda topic, refusal: None,
    ) -> None:
        self.broker = broker
        self.topics = topics
        self.client_id = client_id
        self.connected = asyncio.Event()
        self.bad_payloads = 0
        # Messages not sealed with the pair's key, or replaying an old counter.
        self.refused = 0
        self._seal = seal
        self._on_refused = on_refused
        self._outbox: deque[_Outgoing] = deque()
        self._outbox_changed = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()

    # -- publishing -------------------------------------------------------------------------

    def publish_signal(self, wearer: str, message: SignalMessage) -> None:
        self._enqueue(_Outgoing(self.topics.signal(wearer), message.to_json(), retain=False))

    def publish_ack(self, wearer: str, message: AckMessage) -> None:
        self._enqueue(_Outgoing(self.topics.ack(wearer), message.to_json(), retain=False))

    def publish_rehearsal(self, wearer: str, message: SignalMessage) -> None:
        # Its own topic: a listener of real signals never mistakes a rehearsal for one.
        self._enqueue(_Outgoing(self.topics.rehearsal(wearer), message.to_json(), retain=False))

    def publish_state(self, wearer: str, message: StateMessage) -> None:
        self._enqueue(_Outgoing(self.topics.state(wearer), message.to_json(), retain=True))

    def _enqueue(self, outgoing: _Outgoing) -> None:
        # Sealed once, here: a resend after a reconnect is the same message, same counter.
        outgoing = replace(outgoing, payload=self._seal.seal(outgoing.topic, outgoing.payload))
        self._outbox.append(outgoing)
        self._drained.clear()
        self._outbox_changed.set()

    async def drained(self) -> None:
        """Waits until the broker has acknowledged everything published so far."""
        await self._drained.wait()

    # -- the connection -------------------------------------------------------------------

    async def run(self, listener: RelayListener) -> None:
        """Stays connected to the broker until cancelled, reconnecting after any loss."""
        failures = 0
        while True:
            reason = "connection closed"
            try:
                await self._session(listener)
            except* (aiomqtt.MqttError, TimeoutError) as group:
                reason = "; ".join(str(e) for e in group.exceptions)
            if self.connected.is_set():
                self.connected.clear()
                failures = 0
                listener.on_broker(False)
            failures += 1
            delay = BROKER_BACKOFF.delay(failures)
            log.warning("MQTT broker %s: %s; reconnecting in %.1f s", self.broker, reason, delay)
            await asyncio.sleep(delay)

    def _status(self, status: str) -> bytes:
        return self._seal.seal(self.topics.hub_status, json.dumps({"status": status}).encode())

    async def _session(self, listener: RelayListener) -> None:
        # "online" is sealed before the will, so the will's counter is the higher one and
        # an "offline" published by the broker after a crash is not refused as a replay.
        online = self._status("online")
        client = aiomqtt.Client(
            self.broker.host,
            self.broker.port,
            username=self.broker.username,
            password=self.broker.password,
            tls_params=_tls(self.broker),
            identifier=self.client_id,
            keepalive=KEEPALIVE_S,
            will=aiomqtt.Will(self.topics.hub_status, self._status("offline"), qos=1, retain=True),
            # Every wait is bounded here with asyncio.timeout instead: aiomqtt's own timeouts
            # use asyncio.wait_for, which on Python 3.11 can swallow a cancellation.
            timeout=math.inf,
        )
        connection = contextlib.AsyncExitStack()
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                await connection.enter_async_context(client)
                await client.publish(self.topics.hub_status, online, qos=1, retain=True)
                for topic in self.topics.subscriptions():
                    await client.subscribe(topic, qos=1)
            self.connected.set()
            listener.on_broker(True)
            try:
                async with asyncio.TaskGroup() as tasks:
                    tasks.create_task(self._send(client))
                    tasks.create_task(self._receive(client, listener))
            except asyncio.CancelledError:
                # A clean shutdown says goodbye itself; the will is for a crash.
                with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
                    async with asyncio.timeout(GOODBYE_TIMEOUT_S):
                        await client.publish(
                            self.topics.hub_status, self._status("offline"), qos=1, retain=True
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
                        outgoing.topic, outgoing.payload, qos=1, retain=outgoing.retain
                    )
                # Only now is it the broker's: a loss before this line sends it again.
                self._outbox.popleft()
            self._drained.set()
            await self._outbox_changed.wait()

    async def _receive(self, client: aiomqtt.Client, listener: RelayListener) -> None:
        async for message in client.messages:
            payload = message.payload
            if not isinstance(payload, bytes | bytearray):
                continue
            self._dispatch(str(message.topic), bytes(payload), listener)

    def _dispatch(self, topic: str, payload: bytes, listener: RelayListener) -> None:
        if not payload:
            return  # a cleared retained message
        try:
            payload = self._seal.open(topic, payload)
        except SealRefused as refusal:
            self.refused += 1
            log.warning("%s (%d refused so far)", refusal, self.refused)
            self._on_refused(topic, refusal)
            return
        if topic == self.topics.hub_status:
            status = json.loads(payload).get("status")
            if status in ("online", "offline"):
                listener.on_hub_status(status == "online")
            return
        parsed = self.topics.parse(topic)
        if parsed is None:
            return
        wearer, kind = parsed
        try:
            if kind is TopicKind.SIGNAL:
                listener.on_signal(wearer, decode(SignalMessage, topic, payload))
            elif kind is TopicKind.ACK:
                listener.on_ack(wearer, decode(AckMessage, topic, payload))
            else:
                listener.on_state(wearer, decode(StateMessage, topic, payload))
        except MessageError as error:
            self.bad_payloads += 1
            log.warning("%s (ignored; %d so far)", error, self.bad_payloads)
        except Exception:
            # A bug in handling one message must not stop the relay for every later one.
            log.exception("error handling a message on %s", topic)
