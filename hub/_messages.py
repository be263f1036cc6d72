"""MQTT payloads (JSON), validated on the way in: a bad payload names its topic and field."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from signals import ComfortSignal, SignalSource

Identifier = Annotated[str, Field(min_length=1, max_length=64)]


class MessageError(ValueError):
    """A payload on a comfort topic that does not follow the protocol."""

    def __init__(self, topic: str, payload: bytes, reason: str) -> None:
        self.topic = topic
        self.payload = payload
        self.reason = reason
        super().__init__(f"bad payload on {topic}: {reason}")


class _Message(BaseModel):
    # Unknown fields are ignored so that a newer peer can add some without breaking us.
    model_config = ConfigDict(extra="ignore", frozen=True)

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()


class SignalMessage(_Message):
    """``comfort/v1/<pair>/<wearer>/signal``: one signal, delivered at least once."""

    id: Identifier
    seq: int = Field(ge=0)
    signal: ComfortSignal
    source: SignalSource
    at: datetime


class AckMessage(_Message):
    """``comfort/v1/<pair>/<wearer>/ack``: ``by`` (that wearer) has noticed signal ``id``."""

    id: Identifier
    by: Identifier
    at: datetime


class StateMessage(_Message):
    """``comfort/v1/<pair>/<wearer>/state`` (retained): the level the wearer holds now."""

    signal: ComfortSignal | Literal["clear"]
    id: Identifier | None = None
    # The seq of the signal that set it: a receiver orders states and signals by it.
    seq: int | None = Field(default=None, ge=0)
    since: datetime


class HubStatusMessage(_Message):
    """``comfort/v1/<pair>/hub/<hub-id>/status`` (retained; ``offline`` is the hub's last will)
    and ``.../alive`` (the same object every second while the hub runs, not retained)."""

    status: Literal["online", "offline"]
    hub: Identifier
    # The wearers this hub serves: a partner's hub being gone pauses them.
    wearers: list[Identifier] = Field(max_length=2)
    at: datetime


AnyMessage = SignalMessage | AckMessage | StateMessage | HubStatusMessage


def new_signal_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


M = TypeVar("M", bound=_Message)


def decode(model: type[M], topic: str, payload: bytes) -> M:
    """Validates ``payload`` as ``model``; raises :class:`MessageError` naming the bad fields."""
    try:
        return model.model_validate_json(payload)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'payload'}: {e['msg']}" for e in error.errors()
        )
        raise MessageError(topic, payload, problems) from None
