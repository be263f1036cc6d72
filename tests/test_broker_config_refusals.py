"""`comfort-hub broker-config` refuses, in one line and writing nothing, what the broker could
not be set up from: hubs the ACL could not keep apart, a listener address that is not one; and
names the files the broker's user could not reach."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hub._broker_access import BrokerUser, unreachable
from tests.generated_brokers import broker_config


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
