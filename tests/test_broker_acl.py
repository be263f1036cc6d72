"""`comfort-hub broker-config` against a real mosquitto, started the way a user starts it:
nobody anonymous, each hub held to its own pair, its own wearers and its own status; the plain
listener on this machine only unless asked; TLS with certificates made by openssl."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import aiomqtt
import pytest

from firmware_bridge.sim import SimRadio
from hub import BrokerAddress, free_loopback_port
from hub._broker_access import BrokerUser, unreachable
from signals import ComfortSignal, pattern_for
from tests.generated_brokers import (
    broker_config,
    client,
    generated_broker,
    heard_on,
    make_broker_home,
    set_hub_passwords,
)
from tests.helpers import wait_until
from tests.hubs import running_hub, times_played, two_watches


@pytest.fixture(autouse=True)
def hub_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    set_hub_passwords(monkeypatch)


@pytest.fixture
def broker_home() -> Iterator[Path]:
    yield from make_broker_home()


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
        port = generated.broker.port
        watcher = generated.printed_password("homeassistant")
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


@pytest.mark.parametrize(
    ("hubs", "error"),
    [
        (["a:room:alex", "b:room:alex"], "wearer 'alex' of pair 'room' is already served by"),
        (["a:room:alex-sam", "b:room:sam,alex"], "hub id 'alex-sam' in pair 'room'"),
        (["a:room:alex", "a:other:jo"], "user 'a' is given 2 times"),
        (["a:room:alex", "b:room:sam", "c:room:jo"], "more than two wearers"),
        (["a:room:alex,alex"], "a wearer is named twice"),
    ],
)
def test_hubs_the_acl_could_not_keep_apart_are_refused(
    tmp_path: Path, hubs: list[str], error: str
) -> None:
    out = tmp_path / "broker"
    status, stdout, stderr = broker_config(
        "--out", str(out), *(a for h in hubs for a in ("--hub", h))
    )
    assert (status, stdout) == (2, "")
    (line,) = stderr.splitlines()
    assert error in line
    assert not out.exists()


@pytest.mark.parametrize(
    "address", ["1.2.3.4\nallow_anonymous true", "fe80::1%eth0\nallow_anonymous true", "a b"]
)
def test_a_listener_address_that_is_not_one_is_refused(tmp_path: Path, address: str) -> None:
    out = tmp_path / "b"
    status, _, stderr = broker_config(
        "--out", str(out), "--hub", "a:room:alex", "--listen", address
    )
    assert status == 2
    assert (
        stderr
        == f"comfort-hub broker-config: --listen {address!r}: not an IP address or host name\n"
    )
    assert not out.exists()


def test_files_the_broker_user_cannot_reach_are_named(broker_home: Path) -> None:
    try:
        broker = BrokerUser.named("mosquitto")
    except ValueError:
        pytest.skip("no mosquitto user on this machine (the mosquitto package makes it)")
    if os.geteuid() == broker.uid:
        pytest.skip("the tests run as the mosquitto user, who can read its own files")
    closed = broker_home / "closed"
    closed.mkdir(mode=0o700)
    (closed / "a.crt").write_text("x")
    (closed / "b.crt").write_text("x")
    key = broker_home / "broker.key"
    key.write_text("x")
    key.chmod(0o600)
    certificate = broker_home / "broker.crt"
    certificate.write_text("x")
    certificate.chmod(0o644)
    problems = unreachable(broker, [closed / "a.crt", closed / "b.crt", key, certificate])
    assert problems == [
        f"{closed}: mosquitto, running as mosquitto, cannot enter this directory (mode 700): "
        f"chmod o+x {closed}, or keep the files elsewhere",
        f"{key}: mosquitto, running as mosquitto, cannot read this file: chown mosquitto {key}",
    ]


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(where: Path) -> None:
    """A CA and a broker certificate for 127.0.0.1, as docs/operations.md shows."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
            "-subj", "/CN=comfort-hub test CA", cwd=where)  # fmt: skip
    openssl("req", *ec, "-keyout", "broker.key", "-out", "broker.csr", "-subj", "/CN=127.0.0.1",
            cwd=where)  # fmt: skip
    (where / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "broker.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "broker.crt", "-days", "2", "-extfile", "san.ext",
            cwd=where)  # fmt: skip


async def test_hubs_relay_a_stop_over_tls_with_certificates_made_by_openssl(
    broker_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pair_id: str
) -> None:
    certs = broker_home / "certs"
    certs.mkdir()
    make_certificates(certs)
    if os.geteuid() == 0:
        # As docs/operations.md says: mosquitto reads its key as the user it runs as.
        shutil.chown(certs / "broker.key", "mosquitto")
    tls_port = free_loopback_port()
    tls = ["--tls-port", str(tls_port), "--tls-listen", "127.0.0.1",
           "--tls-cert", str(certs / "broker.crt"), "--tls-key", str(certs / "broker.key"),
           "--tls-ca", str(certs / "ca.crt")]  # fmt: skip
    monkeypatch.setenv("COMFORT_HUB_BROKER_PASSWORD_ROOMHUB", "room-pw")
    hubs = [f"roomhub:{pair_id}:alex,sam"]
    async with generated_broker(broker_home, tmp_path, hubs, *tls) as generated:
        assert generated.stderr == ""
        address = BrokerAddress(
            "127.0.0.1", tls_port, "roomhub", "room-pw", tls=True, ca_file=certs / "ca.crt"
        )
        radio = SimRadio()
        watches = two_watches(radio)
        async with running_hub(address, pair_id, radio, watches):
            watches["alex"].press(held_ms=1500)
            await wait_until(
                lambda: times_played(watches["sam"], pattern_for(ComfortSignal.STOP)) == 1
            )
        # Without the pair's CA, the broker's certificate is not trusted.
        with pytest.raises(ssl.SSLCertVerificationError):
            await asyncio.open_connection("127.0.0.1", tls_port, ssl=ssl.create_default_context())
