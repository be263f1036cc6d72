"""The agreement and the plan across two hubs: each side says its own wearer's.

Each hub publishes, for each wearer it serves, one retained message on
``comfort/v1/<pair>/<wearer>/agreement`` (``docs/protocol.md``): when the wearer confirmed
their signals, the signals their device makes, and their own changes to the shared plan. It
says it again on every (re)connect and after every confirmation or change, sealed like every
other message. The partner's hub keeps what it hears (:meth:`PracticeRecords.take_from_partner`)
and shows it on its pages, so each sees at once who changed what, and a hub that starts late
learns it all from the retained copy. Only the wearer's own side speaks for them: a hub ignores
what is said on its own wearers' topics, and refuses a message whose ``by`` is not the topic's
wearer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from pydantic import ValidationError

from hub._events import AgreementConfirmed, HubEvent, PlanChanged
from hub._messages import (
    MAX_CARRIED_CHANGES,
    AgreementMessage,
    CarriedPlanChange,
    MessageError,
    decode,
    utc_now,
)
from hub._topics import Topics
from hub.practice._practice import Practice
from hub.practice._records import PlanChange, SharedPlan

log = logging.getLogger(__name__)


class SealedPublisher(Protocol):
    """The hub's relay: seals what goes out, opens what comes in, with the pair's key."""

    def publish_sealed(self, topic: str, payload: bytes, *, retain: bool) -> None: ...
    def open_sealed(self, topic: str, payload: bytes) -> bytes | None: ...


class AgreementSync:
    """A hook on the hub's relay (``relay.add_hook``) carrying the agreement and the plan."""

    def __init__(
        self,
        practice: Practice,
        topics: Topics,
        publisher: SealedPublisher,
        observer: Callable[[HubEvent], None],
        local_wearers: list[str],
    ) -> None:
        self._practice = practice
        self._topics = topics
        self._publisher = publisher
        self._observe = observer
        self._local = list(local_wearers)
        practice.on_agreement = self.say

    # -- saying this side's ------------------------------------------------------------------

    def say(self, wearer: str) -> None:
        """Publishes what ``wearer`` (served here) agreed and planned, retained."""
        if wearer not in self._local:
            return
        records = self._practice.records
        changes = records.changes_by(wearer)[-MAX_CARRIED_CHANGES:]
        message = AgreementMessage(
            by=wearer,
            confirmed_at=records.confirmed(wearer),
            signals=list(self._practice.signal_words(wearer)),
            plan_changes=[CarriedPlanChange(at=c.at, changes=c.changes) for c in changes],
            at=utc_now(),
        )
        topic = self._topics.agreement(wearer)
        self._publisher.publish_sealed(topic, message.to_json(), retain=True)

    # -- the relay's hook ------------------------------------------------------------------

    def subscriptions(self) -> list[str]:
        return [self._topics.agreement("+")]

    def on_connect(self) -> None:
        # A broker restarted empty has lost the retained copies: say them again.
        for wearer in self._local:
            self.say(wearer)

    def on_message(self, topic: str, payload: bytes) -> None:
        wearer = topic.removeprefix(f"{self._topics.prefix}/").partition("/")[0]
        if not payload or wearer in self._local:
            return  # a cleared retained message, or this hub's own said back
        if wearer not in self._practice.records.pair:
            log.warning("ignored an agreement on %s: %r is not in the pair", topic, wearer)
            return
        opened = self._publisher.open_sealed(topic, payload)
        if opened is None:
            return  # refused, and reported as such by the relay
        try:
            message = decode(AgreementMessage, topic, opened)
            if message.by != wearer:
                raise MessageError(topic, payload, f"by: {message.by!r} is not {wearer!r}")
            changes = [_plan_change(topic, payload, wearer, c) for c in message.plan_changes]
        except MessageError as error:
            log.warning("%s (ignored)", error)
            return
        self._take(wearer, message, changes)

    def _take(self, wearer: str, message: AgreementMessage, changes: list[PlanChange]) -> None:
        practice = self._practice
        practice.partner_signals[wearer] = tuple(message.signals)
        newly_confirmed, new = practice.records.take_from_partner(
            wearer, message.confirmed_at, changes
        )
        if newly_confirmed:
            both = practice.records.both_confirmed()
            self._observe(AgreementConfirmed(wearer, tuple(message.signals), both))
        for change in new:
            self._observe(PlanChanged(wearer, tuple(change.changes.items())))


def _plan_change(topic: str, payload: bytes, wearer: str, carried: CarriedPlanChange) -> PlanChange:
    """A carried change, its fields checked as the page checks them; raises MessageError."""
    try:
        SharedPlan.model_validate(carried.changes)
    except ValidationError as error:
        problems = "; ".join(
            f"plan_changes.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise MessageError(topic, payload, problems) from None
    return PlanChange(by=wearer, at=carried.at, changes=carried.changes)
