"""A mosquitto configuration for the pairs' hubs: no anonymous access, one user per hub, an
ACL that lets a hub read its pair's topics and write only its own wearers' topics and its own
status and heartbeat (``hub/<hub-id>/status`` and ``hub/<hub-id>/alive``). Each account's
name is its client id, so no account can take a hub's id (its connection, its session), and
the broker writes its database on every change, so a crash loses no retained state.

Passwords never pass through a command line: the password file is written in plain text and
hashed in place with ``mosquitto_passwd -U``. The plain listener is on loopback unless asked
otherwise: on it, the hubs' passwords cross the wire in clear. The files go to the user
mosquitto will run as (``hub._broker_access``).
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hub._broker_access import BrokerUser, hand_over, unreachable
from hub._home_assistant import device_id
from hub._private_files import write_private
from hub._topics import ROOT, HubTopicKind, TopicKind, check_name

# The wearer topics a hub publishes on for its own wearers (rehearsal and agreement included).
WRITTEN_KINDS = [*TopicKind, "rehearsal", "agreement"]
# What a hub with Home Assistant discovery on publishes per wearer (hub._home_assistant).
HOME_ASSISTANT_KINDS = ["link", "heart_rate"]
# What Home Assistant's entities read of a pair (hub._home_assistant's discovery payload):
# each wearer's signals (the event entity), link and heart rate, and each hub's status.
HOME_ASSISTANT_READS = ["+/signal", *(f"+/{kind}" for kind in HOME_ASSISTANT_KINDS), "hub/+/status"]
# The broker account Home Assistant connects with, when broker-config is asked for one.
HOME_ASSISTANT_USER = "homeassistant"
# The plain listener's address unless --listen says otherwise: this machine only.
LOOPBACK = "127.0.0.1"
# A host name as a listener address: letters, digits, '-' and '.' (never a space or newline,
# which would end the configuration line).
_HOST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,252}")
_WORD = re.compile(r"[A-Za-z0-9.:%_-]+")
# Set on every listener (it is a listener setting): the broker takes each account's name as
# its client id, whatever id the client asked for. Another account asking for a hub's id then
# neither knocks that hub off nor takes over its session (and what is queued for it), and a
# hub's session stays its own across its restarts.
_ACCOUNT_IS_CLIENT_ID = ("use_username_as_clientid true",)


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
        if len(set(names)) != len(names):
            raise BrokerConfigError(f"--hub {text!r}: a wearer is named twice")
        return cls(name, pair, names)

    @property
    def hub_id(self) -> str:
        # The id a hub takes in its topics: the wearers it serves, as the Hub names itself.
        return "-".join(sorted(self.wearers))

    @property
    def hub_topics(self) -> list[str]:
        return [f"{ROOT}/{self.pair}/hub/{self.hub_id}/{kind}" for kind in HubTopicKind]

    def password_variable(self) -> str:
        return password_variable(self.name)


def password_variable(user: str) -> str:
    """Where broker-config looks for a user's password before making one."""
    return "COMFORT_HUB_BROKER_PASSWORD_" + re.sub(r"[^A-Z0-9]", "_", user.upper())


def check_listen_address(option: str, address: str) -> str:
    """An IP address or host name to put on a ``listener`` line, else a one-line error."""
    if _HOST_NAME.fullmatch(address):
        return address
    try:
        ipaddress.ip_address(address)
    except ValueError:
        pass
    else:
        # An IPv6 scope (fe80::1%eth0) may hold any character: keep it to one plain word.
        if _WORD.fullmatch(address):
            return address
    raise BrokerConfigError(f"{option} {address!r}: not an IP address or host name")


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address.lower() == "localhost"


def check_accounts(accounts: list[HubAccount]) -> None:
    """Refuses hubs the ACL could not keep apart: one user twice, a wearer served by two hubs
    of a pair (both could then signal as them), or two hubs of a pair with one hub id."""
    for name, count in Counter(a.name for a in accounts).items():
        if count > 1:
            raise BrokerConfigError(f"--hub: user {name!r} is given {count} times")
    served: dict[tuple[str, str], str] = {}
    hub_ids: dict[tuple[str, str], str] = {}
    for account in accounts:
        for wearer in account.wearers:
            other = served.setdefault((account.pair, wearer), account.name)
            if other != account.name:
                raise BrokerConfigError(
                    f"--hub {account.name}: wearer {wearer!r} of pair {account.pair!r} is "
                    f"already served by hub {other!r}"
                )
        other = hub_ids.setdefault((account.pair, account.hub_id), account.name)
        if other != account.name:
            raise BrokerConfigError(
                f"--hub {account.name}: hub id {account.hub_id!r} in pair {account.pair!r} "
                f"is already hub {other!r}'s (the hub id is its wearers joined by '-')"
            )
    for pair in {a.pair for a in accounts}:
        wearers = sorted(w for p, w in served if p == pair)
        if len(wearers) > 2:
            raise BrokerConfigError(
                f"--hub: pair {pair!r} has more than two wearers: {', '.join(wearers)}"
            )


@dataclass(frozen=True, slots=True)
class Tls:
    port: int
    cert_file: Path
    key_file: Path
    ca_file: Path
    # Ask each hub for a client certificate signed by ca_file, besides its password.
    require_certificate: bool = False
    # The TLS listener's address; None: every interface (it is how other machines connect).
    listen: str | None = None

    @property
    def files(self) -> list[Path]:
        return [self.cert_file.absolute(), self.key_file.absolute(), self.ca_file.absolute()]


def acl(accounts: list[HubAccount], home_assistant: str | None = None) -> str:
    """Each hub reads its pair and writes only its own; with ``home_assistant`` (the
    discovery prefix) also its wearers' link and heart-rate topics and discovery messages."""
    lines = ["# comfort-hub ACL (written by comfort-hub broker-config). One user per hub."]
    for account in accounts:
        prefix = f"{ROOT}/{account.pair}"
        lines += ["", f"user {account.name}", f"topic read {prefix}/#"]
        lines += [
            f"topic write {prefix}/{w}/{kind}" for w in account.wearers for kind in WRITTEN_KINDS
        ]
        lines += [f"topic write {topic}" for topic in account.hub_topics]
        if home_assistant is not None:
            lines += [f"topic read {home_assistant}/status"]
            for wearer in account.wearers:
                lines += [f"topic write {prefix}/{wearer}/{kind}" for kind in HOME_ASSISTANT_KINDS]
                device = device_id(account.pair, wearer)
                lines += [f"topic write {home_assistant}/device/{device}/config"]
    if home_assistant is not None:
        # Home Assistant's own account: it reads the discovery, what its entities show (the
        # signal event, the link and heart-rate sensors), the hubs' statuses (their
        # availability) and says when it starts. Nothing else of the pairs': not the
        # agreement (the plan, the safeword), acks, states, rehearsals or heartbeats.
        lines += ["", f"user {HOME_ASSISTANT_USER}", f"topic read {home_assistant}/#"]
        lines += [f"topic write {home_assistant}/status"]
        for pair in sorted({a.pair for a in accounts}):
            lines += [f"topic read {ROOT}/{pair}/{topic}" for topic in HOME_ASSISTANT_READS]
    return "\n".join(lines) + "\n"


def mosquitto_conf(out: Path, port: int, listen: str, tls: Tls | None, user: str) -> str:
    lines = [
        "# mosquitto configuration for comfort-hub (written by comfort-hub broker-config).",
        "# Started as root, mosquitto switches to this user, who owns this directory.",
        f"user {user}",
        "per_listener_settings false",
        "allow_anonymous false",
        f"password_file {out / 'passwd'}",
        f"acl_file {out / 'comfort-hub.acl'}",
        "# Retained states and statuses, and the hubs' sessions with what is queued for them,",
        "# survive a broker restart, a crash too: the database is written after every change",
        "# (a retained message, a subscription, a message queued for a hub that is away), not",
        "# only at a clean shutdown. Heartbeats are not changes: they are never written.",
        "persistence true",
        f"persistence_location {out}/",
        "autosave_on_changes true",
        "autosave_interval 1",
        "# Send each message at once: Nagle's algorithm delays a stop by a delayed ACK (40 ms).",
        "set_tcp_nodelay true",
        "",
        "# Plain MQTT: passwords in clear, so on this machine only unless asked otherwise.",
        f"listener {port} {listen}",
        *_ACCOUNT_IS_CLIENT_ID,
    ]
    if tls is not None:
        cert_file, key_file, ca_file = tls.files
        lines += [
            "",
            f"listener {tls.port}" + (f" {tls.listen}" if tls.listen else ""),
            *_ACCOUNT_IS_CLIENT_ID,
            f"certfile {cert_file}",
            f"keyfile {key_file}",
            f"cafile {ca_file}",
            f"require_certificate {'true' if tls.require_certificate else 'false'}",
        ]
    return "\n".join(lines) + "\n"


@dataclass(slots=True)
class Written:
    """What broker-config wrote, for the command to tell."""

    config: Path
    user: str
    # Passwords made here (not given in the environment), to be shown once.
    passwords: dict[str, str] = field(default_factory=dict)
    # One line each: a plaintext listener off this machine, a file mosquitto cannot reach.
    warnings: list[str] = field(default_factory=list)


def write_broker_config(
    out: Path,
    accounts: list[HubAccount],
    *,
    user: BrokerUser,
    port: int = 1883,
    listen: str = LOOPBACK,
    tls: Tls | None = None,
    environ: dict[str, str] | None = None,
    home_assistant: str | None = None,
) -> Written:
    """Writes mosquitto.conf, comfort-hub.acl and passwd in ``out``, owned by ``user``."""
    environ = dict(os.environ) if environ is None else environ
    # Absolute paths: mosquitto reads relative ones from wherever it is started.
    out = out.absolute()
    check_accounts(accounts)
    check_listen_address("--listen", listen)
    if tls is not None:
        if tls.listen is not None:
            check_listen_address("--tls-listen", tls.listen)
        for path in tls.files:
            if not path.is_file():
                raise BrokerConfigError(f"{path}: no such certificate or key file")
    tool = shutil.which("mosquitto_passwd")
    if tool is None:
        raise BrokerConfigError("mosquitto_passwd not found (Debian package: mosquitto)")
    written = Written(out / "mosquitto.conf", user.name)
    entries = []
    users = [(a.name, a.password_variable()) for a in accounts]
    if home_assistant is not None:
        users.append((HOME_ASSISTANT_USER, password_variable(HOME_ASSISTANT_USER)))
    for name, variable in users:
        password = environ.get(variable)
        if not password:
            password = written.passwords[name] = secrets.token_urlsafe(18)
        entries.append(f"{name}:{password}")
    passwd = out / "passwd"
    write_private(passwd, ("\n".join(entries) + "\n").encode())
    subprocess.run([tool, "-U", str(passwd)], check=True, capture_output=True)
    write_private(out / "comfort-hub.acl", acl(accounts, home_assistant).encode())
    write_private(written.config, mosquitto_conf(out, port, listen, tls, user.name).encode())
    files = [written.config, passwd, out / "comfort-hub.acl"]
    hand_over(user, out, files)
    if not is_loopback(listen):
        written.warnings.append(
            f"listener {port} on {listen} is plain MQTT: the hubs' passwords cross the network "
            "in clear (hubs on other machines should use TLS: --tls-cert, --tls-key, --tls-ca)"
        )
    written.warnings += unreachable(user, [*files, *(tls.files if tls else [])])
    return written
