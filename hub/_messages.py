"""MQTT payloads (JSON), validated on the way in: a bad payload names its topic and field."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

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


# An agreement message carries at most this many of the wearer's plan changes (the latest):
# a plan changes a few times an evening, and a late hub needs the plan, not all its history.
MAX_CARRIED_CHANGES = 100
# The practice's own limit on a plan field, with room to spare for a page's few sentences.
PlanText = Annotated[str, Field(max_length=1000)]


class CarriedPlanChange(_Message):
    at: AwareDatetime
    changes: dict[Identifier, PlanText] = Field(max_length=20)


class AgreementMessage(_Message):
    """``comfort/v1/<pair>/<wearer>/agreement`` (retained): what the wearer's side agreed and
    planned: when they confirmed their signals (None: not, or forgotten), the signals their
    device makes (in words), and their own changes to the shared plan still kept."""

    by: Identifier
    confirmed_at: AwareDatetime | None = None
    signals: list[Annotated[str, Field(max_length=200)]] = Field(default=[], max_length=20)
    plan_changes: list[CarriedPlanChange] = Field(default=[], max_length=MAX_CARRIED_CHANGES)
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
