"""Home Assistant MQTT discovery: each local wearer's wearable appears as a device.

Opt-in (``[home_assistant] enabled = true``). Each wearable is announced with one retained
device-discovery message, ``<discovery_prefix>/device/<device-id>/config``, holding:

- an ``event`` entity that fires on each of the wearer's signals (slow_down, pause, stop,
  resume, check_in), read straight from the wearer's existing signal topic;
- a ``sensor`` for the wearable's link (connected, lost, stale), on a retained topic of its
  own next to the wearer's other topics;
- a heart-rate ``sensor`` only when ``share_heart_rate = true``: nothing else about the
  body leaves the hub for Home Assistant unless the user said so.

Every entity is available exactly when the hub is: availability is the hub's own retained
status topic, whose last will is ``offline``. When Home Assistant (re)starts it publishes
``online`` on ``<discovery_prefix>/status``, and the hub announces everything again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from firmware_bridge import LinkState
from hub._events import HeartRate, HubEvent, LinkChanged
from hub._hub import Hub
from hub._topics import Topics
from signals import ComfortSignal

log = logging.getLogger(__name__)

# What Home Assistant publishes on <prefix>/status when it starts: its "birth" message.
HA_BIRTH = b"online"
# The event types, in the order Home Assistant lists them.
EVENT_TYPES = tuple(signal.value for signal in ComfortSignal)
# The wearable link as Home Assistant shows it: LOST and STALE both mean "no word".
LINK_STATES = ("connected", "lost", "stale")
# Home Assistant reads a signal payload through this template into an event of its type.
_EVENT_TEMPLATE = '{"event_type": "{{ value_json.signal }}"}'
# The hub's status is a JSON object (HubStatusMessage) whose "status" is "online" or
# "offline": Home Assistant compares what this template extracts with pl_avail/pl_not_avail.
_AVAILABILITY_TEMPLATE = "{{ value_json.status }}"


def device_id(pair: str, wearer: str) -> str:
    """A wearable's Home Assistant device id (the broker's ACL names it too)."""
    # Device ids are one topic level of [A-Za-z0-9_-]; pair and wearer names already are.
    return f"comfort-hub_{pair}_{wearer}"


class Publisher(Protocol):
    """Where the messages go: the relay's outbox, so they survive a broker flap."""

    def publish_raw(self, topic: str, payload: bytes, *, retain: bool) -> None: ...


@dataclass(frozen=True, slots=True)
class HomeAssistantOptions:
    discovery_prefix: str = "homeassistant"
    share_heart_rate: bool = False


@dataclass(frozen=True, slots=True)
class AnnouncedWearable:
    """A local wearer and what their wearable is (the profile's label, e.g. "Bangle.js 2")."""

    wearer: str
    model: str


class HomeAssistantDiscovery:
    """Announces the local wearables to Home Assistant and keeps their link and heart rate
    topics current. Plug it into the relay (``relay.add_hook``) and the event bus."""

    def __init__(
        self,
        topics: Topics,
        wearables: Sequence[AnnouncedWearable],
        publisher: Publisher,
        *,
        availability_topic: str,
        version: str,
        options: HomeAssistantOptions | None = None,
    ) -> None:
        self.topics = topics
        self.wearables = {w.wearer: w for w in wearables}
        self.options = options or HomeAssistantOptions()
        self.availability_topic = availability_topic
        self._publisher = publisher
        self._version = version
        self._links: dict[str, str] = {}

    # -- topics ------------------------------------------------------------------------------

    def device_id(self, wearer: str) -> str:
        return device_id(self.topics.pair, wearer)

    def config_topic(self, wearer: str) -> str:
        return f"{self.options.discovery_prefix}/device/{self.device_id(wearer)}/config"

    def link_topic(self, wearer: str) -> str:
        return f"{self.topics.prefix}/{wearer}/link"

    def heart_rate_topic(self, wearer: str) -> str:
        return f"{self.topics.prefix}/{wearer}/heart_rate"

    @property
    def status_topic(self) -> str:
        return f"{self.options.discovery_prefix}/status"

    # -- the relay's hook --------------------------------------------------------------------

    def subscriptions(self) -> list[str]:
        return [self.status_topic]

    def on_connect(self) -> None:
        """Announce on every (re)connect: a broker restarted without persistence forgot."""
        self.announce()

    def on_message(self, topic: str, payload: bytes) -> None:
        if topic == self.status_topic and payload == HA_BIRTH:
            log.info("Home Assistant (re)started: announcing the wearables again")
            self.announce()

    # -- the event bus -----------------------------------------------------------------------

    def __call__(self, event: HubEvent) -> None:
        if isinstance(event, LinkChanged) and event.wearer in self.wearables:
            state = _link_state(event.event.state)
            if self._links.get(event.wearer) != state:
                self._links[event.wearer] = state
                self._publish_link(event.wearer)
        elif (
            isinstance(event, HeartRate)
            and self.options.share_heart_rate
            and event.wearer in self.wearables
        ):
            # Not retained: a reading is for now, not for whoever connects next week.
            self._publisher.publish_raw(
                self.heart_rate_topic(event.wearer),
                str(event.reading.bpm).encode(),
                retain=False,
            )

    # -- announcing --------------------------------------------------------------------------

    def announce(self) -> None:
        for wearer in self.wearables:
            self._publisher.publish_raw(
                self.config_topic(wearer),
                json.dumps(self.discovery_payload(wearer)).encode(),
                retain=True,
            )
            if wearer in self._links:
                self._publish_link(wearer)

    def _publish_link(self, wearer: str) -> None:
        self._publisher.publish_raw(
            self.link_topic(wearer), self._links[wearer].encode(), retain=True
        )

    def discovery_payload(self, wearer: str) -> dict[str, object]:
        """The device-discovery payload (Home Assistant's abbreviated keys)."""
        wearable = self.wearables[wearer]
        base = f"comfort_hub_{self.topics.pair}_{wearer}"
        components: dict[str, Mapping[str, object]] = {
            "signal": {
                "p": "event",
                "name": "Signal",
                "uniq_id": f"{base}_signal",
                "stat_t": self.topics.signal(wearer),
                "evt_typ": list(EVENT_TYPES),
                "val_tpl": _EVENT_TEMPLATE,
                "ic": "mdi:hand-back-left",
            },
            "link": {
                "p": "sensor",
                "name": "Wearable link",
                "uniq_id": f"{base}_link",
                "stat_t": self.link_topic(wearer),
                "dev_cla": "enum",
                "ops": list(LINK_STATES),
                "ent_cat": "diagnostic",
                "ic": "mdi:bluetooth-connect",
            },
        }
        if self.options.share_heart_rate:
            components["heart_rate"] = {
                "p": "sensor",
                "name": "Heart rate",
                "uniq_id": f"{base}_heart_rate",
                "stat_t": self.heart_rate_topic(wearer),
                "unit_of_meas": "bpm",
                "stat_cla": "measurement",
                "ic": "mdi:heart-pulse",
            }
        return {
            "dev": {
                "ids": [self.device_id(wearer)],
                "name": f"{wearer}'s wearable",
                "mdl": wearable.model,
                "sw": self._version,
            },
            "o": {"name": "comfort-hub", "sw": self._version},
            "avty_t": self.availability_topic,
            "avty_tpl": _AVAILABILITY_TEMPLATE,
            "pl_avail": "online",
            "pl_not_avail": "offline",
            "qos": 1,
            "cmps": components,
        }


def attach_to_hub(
    hub: Hub, options: HomeAssistantOptions, *, version: str
) -> HomeAssistantDiscovery:
    """Discovery for ``hub``'s wearables, riding on its relay; subscribe the result to the
    hub's events so link changes (and heart rate, if shared) reach Home Assistant."""
    discovery = HomeAssistantDiscovery(
        hub.topics,
        [
            AnnouncedWearable(wearer, link.driver.profile.label)
            for wearer, link in hub.links.items()
        ],
        hub.relay,
        availability_topic=hub.relay.status_topic,
        version=version,
        options=options,
    )
    hub.relay.add_hook(discovery)
    return discovery


def _link_state(state: LinkState) -> str:
    if state in (LinkState.CONNECTED, LinkState.RESTORED):
        return "connected"
    return "lost" if state is LinkState.LOST else "stale"
