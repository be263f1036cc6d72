"""`comfort-hub broker-config` against a real mosquitto, started the way a user starts it:
nobody anonymous, each hub held to its own pair, its own wearers and its own status; the plain
listener on this machine only unless asked. (TLS: test_broker_tls.py; what it refuses:
test_broker_config_refusals.py.)"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from pathlib import Path

import aiomqtt
import pytest

from firmware_bridge.sim import SimRadio
from hub import BrokerAddress
from signals import ComfortSignal, pattern_for
from tests.generated_brokers import client, generated_broker, heard_on, set_hub_passwords
from tests.helpers import wait_until
from tests.hubs import running_hub, times_played, two_watches


@pytest.fixture(autouse=True)
def hub_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    set_hub_passwords(monkeypatch)


async def test_the_written_configuration_starts_and_takes_the_printed_password(
    broker_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in the report: no address, no TLS, alexhub's password made and printed.
    monkeypatch.delenv("COMFORT_HUB_BROKER_PASSWORD_ALEXHUB")
    hubs = ["alexhub:room1:alex", "samhub:room1:sam"]
    async with generated_broker(broker_home, tmp_path, hubs) as generated:
        assert generated.stderr == ""
        password = generated.printed_password("alexhub")
        async with (
            client(generated.broker, "alexhub", password) as alex,
            client(generated.broker, "samhub", "sam-pw") as sam,
        ):

            async def alex_signals() -> None:
                await alex.publish("comfort/v1/room1/alex/signal", b"stop", qos=1)

            heard = await heard_on(sam, "comfort/v1/room1/#", alex_signals)
            assert heard == {"comfort/v1/room1/alex/signal b'stop'"}
    # Only the broker's user (mosquitto when started as root) can read the password hashes.
    for path in [generated.out, *generated.out.iterdir()]:
        assert path.stat().st_mode & 0o077 == 0, path
    if os.geteuid() == 0:
        assert (generated.out / "passwd").owner() == "mosquitto"


def this_machines_network_address() -> str:
    """An address of this machine that is not loopback (the one its default route uses)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # a UDP "connect" sends nothing: it picks a route
        except OSError:
            pytest.skip("this machine has no network address besides loopback")
        address: str = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("this machine has no network address besides loopback")
    return address


async def reachable(address: str, port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection(address, port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def test_the_plain_listener_stays_on_this_machine_unless_an_address_is_given(
    broker_home: Path, tmp_path: Path
) -> None:
    network = this_machines_network_address()
    async with generated_broker(broker_home, tmp_path, ["alexhub:room:alex"]) as generated:
        assert await reachable("127.0.0.1", generated.broker.port)
        assert not await reachable(network, generated.broker.port)
        assert generated.stderr == ""
    async with generated_broker(
        broker_home, tmp_path, ["alexhub:room:alex"], "--listen", "0.0.0.0"
    ) as generated:
        assert await reachable(network, generated.broker.port)
        (warning,) = generated.stderr.splitlines()
        assert "warning" in warning
        assert "0.0.0.0" in warning
        assert "in clear" in warning


async def test_anonymous_clients_are_refused(broker_home: Path, tmp_path: Path) -> None:
    async with generated_broker(broker_home, tmp_path, ["alexhub:room:alex"]) as generated:
        with pytest.raises(aiomqtt.MqttError):
            async with client(generated.broker, None):
                pass
        with pytest.raises(aiomqtt.MqttError):
            async with client(generated.broker, "alexhub", "guess"):
                pass


async def test_a_hub_writes_only_its_own_wearers_and_status_and_reads_only_its_pair(
    broker_home: Path, tmp_path: Path
) -> None:
    hubs = ["alexhub:room:alex", "samhub:room:sam", "otherhub:elsewhere:jo"]
    async with (
        generated_broker(broker_home, tmp_path, hubs) as generated,
        client(generated.broker, "alexhub", "alex-pw") as alex,
        client(generated.broker, "samhub", "sam-pw") as sam,
        client(generated.broker, "otherhub", "other-pw") as other,
    ):

        async def sam_publishes() -> None:
            for topic in [
                "comfort/v1/room/alex/signal",  # as the other hub's wearer: dropped
                "comfort/v1/room/alex/state",
                "comfort/v1/room/hub/alex/status",  # as the other hub: dropped
                "comfort/v1/room/hub/alex/alive",
                "comfort/v1/room/hub/samhub/status",  # its user name is not its hub id: dropped
                "comfort/v1/room/hub/status",  # the old shared status topic: dropped
                "comfort/v1/room/sam/ack",  # its own: delivered
                "comfort/v1/room/hub/sam/status",  # its own hub id: delivered
                "comfort/v1/room/hub/sam/alive",
            ]:
                await sam.publish(topic, b"{}", qos=1)

        heard = await heard_on(alex, "comfort/v1/room/#", sam_publishes)
        assert heard == {
            "comfort/v1/room/hub/sam/status b'{}'",
            "comfort/v1/room/hub/sam/alive b'{}'",
            "comfort/v1/room/sam/ack b'{}'",
        }

        # The other pair's hub hears nothing of room, and cannot write into it.
        async def both_publish() -> None:
            await sam.publish("comfort/v1/room/sam/signal", b"sam", qos=1)
            await other.publish("comfort/v1/room/sam/signal", b"other", qos=1)
            await other.publish("comfort/v1/elsewhere/jo/signal", b"other", qos=1)

        heard_by_other = await heard_on(other, "comfort/v1/room/#", both_publish)
        assert heard_by_other == set()
        heard_by_alex = await heard_on(alex, "comfort/v1/#", both_publish)
        assert heard_by_alex == {"comfort/v1/room/sam/signal b'sam'"}


@pytest.mark.parametrize("home_assistant", [True, False])
async def test_home_assistant_hears_each_hubs_own_discovery_only_when_asked(
    broker_home: Path, tmp_path: Path, home_assistant: bool
) -> None:
    hubs = ["alexhub:room:alex", "samhub:room:sam"]
    extra = ["--home-assistant"] if home_assistant else []
    async with generated_broker(broker_home, tmp_path, hubs, *extra) as generated:
        if not home_assistant:
            assert "password for hub homeassistant" not in generated.stdout
            with pytest.raises(aiomqtt.MqttError):
                async with client(generated.broker, "homeassistant", "anything"):
                    pass
            return
        password = generated.printed_password("homeassistant")
        async with (
            client(generated.broker, "homeassistant", password) as home,
            client(generated.broker, "samhub", "sam-pw") as sam,
        ):

            async def sam_publishes() -> None:
                for topic in [
                    "homeassistant/device/comfort-hub_room_sam/config",
                    "comfort/v1/room/sam/link",
                    "comfort/v1/room/sam/heart_rate",
                    "homeassistant/device/comfort-hub_room_alex/config",  # alex's: dropped
                    "comfort/v1/room/alex/link",  # alex's: dropped
                    "homeassistant/status",  # Home Assistant's own: dropped
                ]:
                    await sam.publish(topic, b"{}", qos=1)

            heard = await heard_on(home, "#", sam_publishes)
            assert heard == {
                "homeassistant/device/comfort-hub_room_sam/config b'{}'",
                "comfort/v1/room/sam/link b'{}'",
                "comfort/v1/room/sam/heart_rate b'{}'",
            }

            # Home Assistant's birth message reaches the hubs.
            async def birth() -> None:
                await home.publish("homeassistant/status", b"online", qos=1)

            assert await heard_on(sam, "homeassistant/status", birth) == {
                "homeassistant/status b'online'"
            }


async def test_two_hubs_on_their_own_accounts_relay_a_stop_and_see_each_other(
    broker_home: Path, tmp_path: Path, pair_id: str
) -> None:
    hubs = [f"alexhub:{pair_id}:alex", f"samhub:{pair_id}:sam"]
    # Home Assistant's account listens: a hub's own account is the hub's client id.
    async with generated_broker(broker_home, tmp_path, hubs, "--home-assistant") as generated:
        watcher = generated.printed_password("homeassistant")
        port = generated.broker.port
        radio = SimRadio()
        watches = two_watches(radio)
        async with (
            running_hub(
                BrokerAddress("127.0.0.1", port, "alexhub", "alex-pw"),
                pair_id,
                radio,
                {"alex": watches["alex"]},
            ),
            running_hub(
                BrokerAddress("127.0.0.1", port, "samhub", "sam-pw"),
                pair_id,
                radio,
                {"sam": watches["sam"]},
            ),
            client(generated.broker, "homeassistant", watcher) as listener,
        ):
            watches["alex"].press(held_ms=1500)
            await wait_until(
                lambda: times_played(watches["sam"], pattern_for(ComfortSignal.STOP)) == 1
            )
            # Each hub's retained status got through the ACL under the id the hub uses.
            statuses: dict[str, str] = {}
            await listener.subscribe(f"comfort/v1/{pair_id}/hub/+/status", qos=1)
            async with asyncio.timeout(5):
                async for message in listener.messages:
                    status = json.loads(bytes(message.payload))  # type: ignore[arg-type,unused-ignore]
                    statuses[status["hub"]] = status["status"]
                    if len(statuses) == 2:
                        break
            assert statuses == {"alex": "online", "sam": "online"}
