"""A mosquitto configuration for the pairs' hubs: no anonymous access, one user per hub, an
ACL that lets a hub read its pair's topics and write only its own wearers' topics and its own
status and heartbeat (``hub/<hub-id>/status`` and ``hub/<hub-id>/alive``).

Passwords never pass through a command line: the password file is written in plain text and
hashed in place with ``mosquitto_passwd -U``.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hub._private_files import write_private
from hub._topics import ROOT, HubTopicKind, TopicKind, check_name

# The wearer topics a hub publishes on for its own wearers (rehearsal included).
WRITTEN_KINDS = [*TopicKind, "rehearsal"]


class BrokerConfigError(ValueError):
    """A hub description or certificate path that cannot be used; names it."""


@dataclass(frozen=True, slots=True)
class HubAccount:
    """``NAME:PAIR:WEARER[,WEARER]``: one hub, its pair, and the wearers it serves."""

    name: str
    pair: str
    wearers: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> HubAccount:
        parts = text.split(":")
        if len(parts) != 3 or not parts[2]:
            raise BrokerConfigError(f"--hub {text!r}: expected NAME:PAIR:WEARER[,WEARER]")
        name, pair, wearers = parts
        try:
            check_name("hub name", name)
            check_name("pair", pair)
            names = tuple(check_name("wearer", w) for w in wearers.split(","))
        except ValueError as error:
            raise BrokerConfigError(f"--hub {text!r}: {error}") from None
        return cls(name, pair, names)

    @property
    def hub_id(self) -> str:
        # The id a hub takes in its topics: the wearers it serves, as the Hub names itself.
        return "-".join(sorted(self.wearers))

    @property
    def hub_topics(self) -> list[str]:
        return [f"{ROOT}/{self.pair}/hub/{self.hub_id}/{kind}" for kind in HubTopicKind]

    def password_variable(self) -> str:
        return "COMFORT_HUB_BROKER_PASSWORD_" + re.sub(r"[^A-Z0-9]", "_", self.name.upper())


@dataclass(frozen=True, slots=True)
class Tls:
    port: int
    cert_file: Path
    key_file: Path
    ca_file: Path
    # Ask each hub for a client certificate signed by ca_file, besides its password.
    require_certificate: bool = False


def acl(accounts: list[HubAccount]) -> str:
    lines = ["# comfort-hub ACL (written by comfort-hub broker-config). One user per hub."]
    for account in accounts:
        prefix = f"{ROOT}/{account.pair}"
        lines += ["", f"user {account.name}", f"topic read {prefix}/#"]
        lines += [
            f"topic write {prefix}/{w}/{kind}" for w in account.wearers for kind in WRITTEN_KINDS
        ]
        lines += [f"topic write {topic}" for topic in account.hub_topics]
    return "\n".join(lines) + "\n"


def mosquitto_conf(out: Path, port: int, bind: str | None, tls: Tls | None) -> str:
    where = f" {bind}" if bind else ""
    lines = [
        "# mosquitto configuration for comfort-hub (written by comfort-hub broker-config).",
        "per_listener_settings false",
        "allow_anonymous false",
        f"password_file {out / 'passwd'}",
        f"acl_file {out / 'comfort-hub.acl'}",
        "# Retained states and statuses survive a broker restart.",
        "persistence true",
        f"persistence_location {out}/",
        "",
        f"listener {port}{where}",
    ]
    if tls is not None:
        lines += [
            "",
            f"listener {tls.port}{where}",
            f"certfile {tls.cert_file}",
            f"keyfile {tls.key_file}",
            f"cafile {tls.ca_file}",
            f"require_certificate {'true' if tls.require_certificate else 'false'}",
        ]
    return "\n".join(lines) + "\n"


def write_broker_config(
    out: Path,
    accounts: list[HubAccount],
    *,
    port: int = 1883,
    bind: str | None = None,
    tls: Tls | None = None,
    environ: dict[str, str] | None = None,
) -> dict[str, str]:
    """Writes mosquitto.conf, comfort-hub.acl and passwd in ``out``; returns the passwords it
    made (those not given in the environment), to be shown once."""
    environ = dict(os.environ) if environ is None else environ
    if tls is not None:
        for path in (tls.cert_file, tls.key_file, tls.ca_file):
            if not path.is_file():
                raise BrokerConfigError(f"{path}: no such certificate or key file")
    tool = shutil.which("mosquitto_passwd")
    if tool is None:
        raise BrokerConfigError("mosquitto_passwd not found (Debian package: mosquitto)")
    made: dict[str, str] = {}
    entries = []
    for account in accounts:
        password = environ.get(account.password_variable())
        if not password:
            password = made[account.name] = secrets.token_urlsafe(18)
        entries.append(f"{account.name}:{password}")
    passwd = out / "passwd"
    write_private(passwd, ("\n".join(entries) + "\n").encode())
    subprocess.run([tool, "-U", str(passwd)], check=True, capture_output=True)
    write_private(out / "comfort-hub.acl", acl(accounts).encode())
    write_private(out / "mosquitto.conf", mosquitto_conf(out, port, bind, tls).encode())
    return made
