"""`comfort-hub broker-config --tls-...` against a real mosquitto: hubs relay a stop over TLS
with certificates made by openssl, and a client without the pair's CA does not trust it."""

from __future__ import annotations

import asyncio
import os
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from firmware_bridge.sim import SimRadio
from hub import BrokerAddress, free_loopback_port
from signals import ComfortSignal, pattern_for
from tests.generated_brokers import generated_broker
from tests.helpers import wait_until
from tests.hubs import running_hub, times_played, two_watches


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
