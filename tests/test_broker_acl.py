"""`comfort-hub broker-config` against a real mosquitto: nobody anonymous, each hub held to its
own pair, its own wearers and its own status; TLS with certificates made by openssl."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import aiomqtt
import pytest

from firmware_bridge.sim import SimRadio
from hub import BrokerAddress, free_loopback_port
from hub.cli import main
from signals import ComfortSignal, pattern_for
from tests.brokers import Mosquitto
from tests.helpers import wait_until
from tests.hubs import running_hub, times_played, two_watches

PASSWORDS = {
    "COMFORT_HUB_BROKER_PASSWORD_ALEXHUB": "alex-pw",
    "COMFORT_HUB_BROKER_PASSWORD_SAMHUB": "sam-pw",
    "COMFORT_HUB_BROKER_PASSWORD_OTHERHUB": "other-pw",
}


@contextlib.asynccontextmanager
async def generated_broker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hubs: list[str], *extra: str
) -> AsyncIterator[Mosquitto]:
    """mosquitto started with exactly the configuration broker-config wrote."""
    for name, value in PASSWORDS.items():
        monkeypatch.setenv(name, value)
    port = free_loopback_port()
    out = tmp_path / "broker"
    args = ["broker-config", "--out", str(out), "--port", str(port), "--bind", "127.0.0.1"]
    assert main([*args, *(a for h in hubs for a in ("--hub", h)), *extra]) == 0
    broker = Mosquitto(tmp_path, port)
    # As root, mosquitto drops to its own user, who cannot read the test's folder: stay us.
    broker.config = out / "mosquitto.conf"
    broker.config.write_text(broker.config.read_text() + f"user {getpass.getuser()}\n")
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()


def client(broker: Mosquitto, user: str | None, password: str | None = None) -> aiomqtt.Client:
    return aiomqtt.Client("127.0.0.1", broker.port, username=user, password=password)


async def heard_on(listener: aiomqtt.Client, pattern: str, publish: object) -> set[str]:
    """What ``listener`` hears on ``pattern`` while ``publish()`` runs (and a moment after),
    as ``topic payload``."""
    await listener.subscribe(pattern, qos=1)
    heard: set[str] = set()

    async def listen() -> None:
        async for message in listener.messages:
            heard.add(f"{message.topic} {message.payload!r}")

    task = asyncio.create_task(listen())
    try:
        await publish()  # type: ignore[operator]
        await asyncio.sleep(0.5)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return heard


async def test_anonymous_clients_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with generated_broker(tmp_path, monkeypatch, ["alexhub:room:alex"]) as broker:
        with pytest.raises(aiomqtt.MqttError):
            async with client(broker, None):
                pass
        with pytest.raises(aiomqtt.MqttError):
            async with client(broker, "alexhub", "guess"):
                pass


async def test_a_hub_writes_only_its_own_wearers_and_status_and_reads_only_its_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hubs = ["alexhub:room:alex", "samhub:room:sam", "otherhub:elsewhere:jo"]
    async with (
        generated_broker(tmp_path, monkeypatch, hubs) as broker,
        client(broker, "alexhub", "alex-pw") as alex,
        client(broker, "samhub", "sam-pw") as sam,
        client(broker, "otherhub", "other-pw") as other,
    ):

        async def sam_publishes() -> None:
            for topic in [
                "comfort/v1/room/alex/signal",  # as the other hub's wearer: dropped
                "comfort/v1/room/alex/state",
                "comfort/v1/room/hub/alex/status",  # as the other hub: dropped
                "comfort/v1/room/hub/alex/alive",
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
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pair_id: str
) -> None:
    certs = tmp_path / "certs"
    certs.mkdir()
    make_certificates(certs)
    tls_port = free_loopback_port()
    tls = ["--tls-port", str(tls_port), "--tls-cert", str(certs / "broker.crt"),
           "--tls-key", str(certs / "broker.key"), "--tls-ca", str(certs / "ca.crt")]  # fmt: skip
    monkeypatch.setenv("COMFORT_HUB_BROKER_PASSWORD_ROOMHUB", "room-pw")
    async with generated_broker(tmp_path, monkeypatch, [f"roomhub:{pair_id}:alex,sam"], *tls):
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
