"""Home Assistant discovery through a real mosquitto: what Home Assistant would read."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiomqtt
import jinja2

from firmware_bridge import BleBackends
from firmware_bridge.bangle import BangleDriver
from firmware_bridge.sim import SimRadio, SimulatedBangle
from hub import Hub, WearerDevice
from hub._home_assistant import (
    EVENT_TYPES,
    LINK_STATES,
    HomeAssistantDiscovery,
    HomeAssistantOptions,
    attach_to_hub,
)
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import PAIR, Recorder, two_watches

VERSION = "9.9.9-test"


class Listener:
    """Home Assistant's side of the broker: every message, and the retained ones by topic."""

    def __init__(self, client: aiomqtt.Client) -> None:
        self.client = client
        self.messages: list[tuple[str, bytes]] = []
        self.latest: dict[str, bytes] = {}

    def configs(self, prefix: str = "homeassistant") -> list[tuple[str, dict[str, Any]]]:
        return [
            (topic, json.loads(payload))
            for topic, payload in self.messages
            if topic.startswith(f"{prefix}/device/") and topic.endswith("/config")
        ]


@contextlib.asynccontextmanager
async def listening(broker: Mosquitto, *topics: str) -> AsyncIterator[Listener]:
    async with aiomqtt.Client("127.0.0.1", broker.port) as client:
        listener = Listener(client)
        for topic in topics:
            await client.subscribe(topic, qos=1)

        async def record() -> None:
            async for message in client.messages:
                payload = message.payload
                assert isinstance(payload, bytes)
                listener.messages.append((str(message.topic), payload))
                listener.latest[str(message.topic)] = payload

        task = asyncio.create_task(record())
        try:
            yield listener
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


@contextlib.asynccontextmanager
async def hub_for_home_assistant(
    broker: Mosquitto,
    pair_id: str,
    watches: dict[str, SimulatedBangle],
    radio: SimRadio,
    options: HomeAssistantOptions,
) -> AsyncIterator[tuple[Hub, HomeAssistantDiscovery]]:
    recorder = Recorder()
    hub = Hub(
        pair_id,
        PAIR,
        [WearerDevice(name, watch.address, BangleDriver()) for name, watch in watches.items()],
        broker.address,
        observer=recorder.bus.publish,
        backends=BleBackends(radio.client_backend(), radio.scanner_backend()),
    )
    discovery = attach_to_hub(hub, options, version=VERSION)
    recorder.bus.subscribe(discovery)
    task = asyncio.create_task(hub.run())
    try:
        async with asyncio.timeout(10):
            await hub.ready()
        yield hub, discovery
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def render(template: str, payload: bytes) -> str:
    """A value template rendered as Home Assistant does: ``value``, and ``value_json`` when
    the payload is JSON."""
    variables: dict[str, Any] = {"value": payload.decode()}
    with contextlib.suppress(ValueError):
        variables["value_json"] = json.loads(payload)
    return jinja2.Environment(autoescape=False).from_string(template).render(variables)


async def test_each_wearable_is_announced_with_an_event_and_a_link_sensor(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    async with (
        listening(mosquitto, "homeassistant/#", f"comfort/v1/{pair_id}/#") as ha,
        hub_for_home_assistant(mosquitto, pair_id, watches, radio, HomeAssistantOptions()) as (
            hub,
            _,
        ),
    ):
        await wait_until(lambda: len(ha.configs()) >= 2)
        configs = dict(ha.configs())
        assert sorted(configs) == [
            f"homeassistant/device/comfort-hub_{pair_id}_{wearer}/config" for wearer in PAIR
        ]
        unique_ids: list[str] = []
        for wearer in PAIR:
            config = configs[f"homeassistant/device/comfort-hub_{pair_id}_{wearer}/config"]
            assert config["dev"]["ids"] == [f"comfort-hub_{pair_id}_{wearer}"]
            assert config["dev"]["name"] == f"{wearer}'s wearable"
            assert config["dev"]["mdl"] == "Bangle.js 2"
            assert config["o"] == {"name": "comfort-hub", "sw": VERSION}
            components = config["cmps"]
            # Nothing about the body unless the user shares it.
            assert set(components) == {"signal", "link"}
            for component in components.values():
                assert component["p"] in {"event", "sensor"}
                assert component["name"]
                unique_ids.append(component["uniq_id"])
            event = components["signal"]
            assert event["p"] == "event"
            assert event["stat_t"] == f"comfort/v1/{pair_id}/{wearer}/signal"
            assert event["evt_typ"] == ["slow_down", "pause", "stop", "resume", "check_in"]
            link = components["link"]
            assert link["p"] == "sensor" and link["dev_cla"] == "enum"
            assert link["ops"] == list(LINK_STATES)
            # Available exactly when this hub is: its own retained status and last will.
            assert config["avty_t"] == hub.relay.status_topic
            assert config["pl_avail"] == "online" and config["pl_not_avail"] == "offline"
        assert len(set(unique_ids)) == len(unique_ids) == 4

        status = ha.latest[hub.relay.status_topic]
        assert render(configs[next(iter(configs))]["avty_tpl"], status) == "online"
        # The wearable's link, retained, in the sensor's own vocabulary.
        await wait_until(lambda: ha.latest.get(f"comfort/v1/{pair_id}/alex/link") == b"connected")

        # A signal on the wearer's topic becomes a Home Assistant event of its type.
        watches["alex"].tap()
        watches["alex"].tap()
        signal_topic = f"comfort/v1/{pair_id}/alex/signal"
        await wait_until(lambda: signal_topic in ha.latest)
        event_json = json.loads(render(_event_template(configs), ha.latest[signal_topic]))
        assert event_json == {"event_type": "slow_down"}
        assert event_json["event_type"] in EVENT_TYPES

        watches["sam"].leave()
        await wait_until(lambda: ha.latest.get(f"comfort/v1/{pair_id}/sam/link") == b"lost")

    # The hub is gone: Home Assistant shows its wearables unavailable.
    async with listening(mosquitto, hub.relay.status_topic) as late:
        await wait_until(lambda: hub.relay.status_topic in late.latest)
        assert render(config["avty_tpl"], late.latest[hub.relay.status_topic]) == "offline"


def _event_template(configs: dict[str, dict[str, Any]]) -> str:
    template = next(iter(configs.values()))["cmps"]["signal"]["val_tpl"]
    assert isinstance(template, str)
    return template


async def test_the_announcement_is_retained_and_repeated_when_home_assistant_starts(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    options = HomeAssistantOptions(discovery_prefix="ha-test")
    async with hub_for_home_assistant(mosquitto, pair_id, watches, radio, options) as (hub, _):
        await hub.relay.drained()
        # Home Assistant connecting later finds the announcement retained...
        async with listening(mosquitto, "ha-test/#") as ha:
            await wait_until(lambda: len(ha.configs("ha-test")) == 2)
            # ...and when it restarts (its birth message), hears it again.
            await ha.client.publish("ha-test/status", b"online", qos=1)
            await wait_until(lambda: len(ha.configs("ha-test")) == 4)
            assert sorted(ha.configs("ha-test")[2:]) == sorted(ha.configs("ha-test")[:2])
            assert not any(t.startswith("homeassistant/") for t, _ in ha.messages)


async def test_heart_rate_is_announced_and_published_only_when_shared(
    mosquitto: Mosquitto, pair_id: str
) -> None:
    radio = SimRadio()
    watches = two_watches(radio)
    options = HomeAssistantOptions(share_heart_rate=True)
    heart_topic = f"comfort/v1/{pair_id}/alex/heart_rate"
    async with (
        listening(mosquitto, "homeassistant/#", f"comfort/v1/{pair_id}/#") as ha,
        hub_for_home_assistant(mosquitto, pair_id, watches, radio, options),
    ):
        await wait_until(lambda: len(ha.configs()) == 2)
        for _, config in ha.configs():
            sensor = config["cmps"]["heart_rate"]
            assert sensor["p"] == "sensor" and sensor["unit_of_meas"] == "bpm"
        assert ha.configs()[0][1]["cmps"]["heart_rate"]["stat_t"] in {
            heart_topic,
            f"comfort/v1/{pair_id}/sam/heart_rate",
        }
        watches["alex"].heart(72)
        await wait_until(lambda: ha.latest.get(heart_topic) == b"72")

    # The default: no heart sensor, and no heart rate on the broker.
    radio = SimRadio()
    watches = two_watches(radio, tag="02")
    async with (
        listening(mosquitto, "homeassistant/#", f"comfort/v1/{pair_id}-quiet/#") as ha,
        hub_for_home_assistant(
            mosquitto, f"{pair_id}-quiet", watches, radio, HomeAssistantOptions()
        ) as (hub, _),
    ):
        # (The first hub's announcements are still retained: look at this pair's only.)
        def quiet() -> list[dict[str, Any]]:
            return [config for topic, config in ha.configs() if f"{pair_id}-quiet_" in topic]

        await wait_until(lambda: len(quiet()) == 2)
        watches["alex"].heart(72)
        watches["alex"].tap()
        watches["alex"].tap()
        await wait_until(lambda: f"comfort/v1/{pair_id}-quiet/alex/signal" in ha.latest)
        await hub.relay.drained()
        assert not any("-quiet/" in topic and "heart" in topic for topic, _ in ha.messages)
        assert all("heart_rate" not in config["cmps"] for config in quiet())
