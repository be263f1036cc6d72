"""The MQTT topic contract (``docs/protocol.md``): every ``<wearer>`` topic is published by
that wearer's side only, so a broker ACL can hold each side to its own topics."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

ROOT = "comfort/v1"
# Names appear in topics: keep them to characters that are never MQTT wildcards or separators.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class TopicKind(StrEnum):
    SIGNAL = "signal"
    STATE = "state"
    ACK = "ack"


class HubTopicKind(StrEnum):
    """A hub's own topics, ``comfort/v1/<pair>/hub/<hub-id>/<kind>``."""

    STATUS = "status"  # retained; "offline" is the hub's last will
    ALIVE = "alive"  # the hub's heartbeat, every second while it runs


def check_name(what: str, name: str) -> str:
    """Refuses a pair or wearer name that cannot be one topic level."""
    if not _NAME.match(name):
        raise ValueError(
            f"{what} {name!r} must be 1-40 letters, digits, '-' or '_' (it is an MQTT topic level)"
        )
    if name == "hub":
        raise ValueError(f"{what} may not be called 'hub': comfort/v1/<pair>/hub is the hub's own")
    return name


@dataclass(frozen=True, slots=True)
class Topics:
    pair: str

    def __post_init__(self) -> None:
        if not _NAME.match(self.pair):
            check_name("pair", self.pair)

    @property
    def prefix(self) -> str:
        return f"{ROOT}/{self.pair}"

    def of(self, wearer: str, kind: TopicKind) -> str:
        return f"{self.prefix}/{wearer}/{kind}"

    def signal(self, wearer: str) -> str:
        return self.of(wearer, TopicKind.SIGNAL)

    def state(self, wearer: str) -> str:
        return self.of(wearer, TopicKind.STATE)

    def ack(self, wearer: str) -> str:
        return self.of(wearer, TopicKind.ACK)

    def rehearsal(self, wearer: str) -> str:
        """Rehearsed gestures (``source: rehearsal``): apart from the signal topic, and not
        subscribed to by hubs, so no hub can take one for a real signal."""
        return f"{self.prefix}/{wearer}/rehearsal"

    def agreement(self, wearer: str) -> str:
        """What the wearer agreed and their changes to the shared plan (retained), read by
        the partner's hub (``hub.practice``): never a signal or a level."""
        return f"{self.prefix}/{wearer}/agreement"

    def hub(self, hub_id: str, kind: HubTopicKind) -> str:
        return f"{self.prefix}/hub/{hub_id}/{kind}"

    def subscriptions(self) -> list[str]:
        """Everything a hub of this pair listens to."""
        return [f"{self.prefix}/+/{kind}" for kind in TopicKind] + [
            f"{self.prefix}/hub/+/{kind}" for kind in HubTopicKind
        ]

    def parse_hub(self, topic: str) -> tuple[str, HubTopicKind] | None:
        """(hub id, kind) for one of this pair's hub topics, else None."""
        head, _, rest = topic.partition(f"{self.prefix}/hub/")
        if head or not rest:
            return None
        hub_id, _, kind = rest.partition("/")
        if not hub_id or kind not in HubTopicKind.__members__.values():
            return None
        return hub_id, HubTopicKind(kind)

    def wearer_of(self, topic: str) -> str | None:
        """The wearer a topic of this pair belongs to, whatever its kind (signal, state, ack,
        rehearsal, agreement, ...); None for a hub's topic or another pair's."""
        head, _, rest = topic.partition(f"{self.prefix}/")
        wearer, slash, kind = rest.partition("/")
        if head or not wearer or not slash or not kind or wearer == "hub":
            return None
        return wearer

    def parse(self, topic: str) -> tuple[str, TopicKind] | None:
        """(wearer, kind) for one of this pair's wearer topics, else None."""
        head, _, rest = topic.partition(f"{self.prefix}/")
        if head or not rest:
            return None
        wearer, _, kind = rest.partition("/")
        if wearer == "hub" or kind not in TopicKind.__members__.values():
            return None
        return wearer, TopicKind(kind)
