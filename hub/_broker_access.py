"""The user mosquitto runs as, and whether it can reach the files broker-config wrote.

Started as root, mosquitto 2.0 switches to the user named by its ``user`` setting (default
``mosquitto``; ``nobody`` when that user is missing) *before* it opens the password file, the
ACL, the TLS certificate, key and CA and its persistence directory, and it re-reads its
configuration as that user on SIGHUP. Root-owned 0600 files in a 0700 directory stop it at
start with "Unable to open pwfile". Started as any other user it stays that user.

So the files are given to the user mosquitto will run as, keeping 0600 in a 0700 directory
(nobody else reads the password hashes), the configuration names that user, and anything
else on the way it cannot reach (a parent directory, a certificate) is named with the command
that fixes it.
"""

from __future__ import annotations

import os
import pwd
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# The user Debian's (and upstream's) mosquitto switches to when started as root.
DEFAULT_BROKER_USER = "mosquitto"

_READ, _SEARCH = 0o4, 0o1


class BrokerUserError(ValueError):
    """The user mosquitto should run as does not exist, or cannot be given the files."""


@dataclass(frozen=True, slots=True)
class BrokerUser:
    """A local user account as far as file access goes."""

    name: str
    uid: int
    gid: int
    groups: frozenset[int]

    @classmethod
    def named(cls, name: str) -> BrokerUser:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            raise BrokerUserError(
                f"--broker-user {name!r}: no such user on this machine (Debian's mosquitto "
                f"package makes 'mosquitto'; or: adduser --system --group {name})"
            ) from None
        groups = frozenset(os.getgrouplist(name, entry.pw_gid))
        return cls(name, entry.pw_uid, entry.pw_gid, groups)

    @classmethod
    def current(cls) -> BrokerUser:
        uid = os.geteuid()
        try:
            return cls.named(pwd.getpwuid(uid).pw_name)
        except KeyError:
            # A container's user may have no account entry: its ids still decide access.
            return cls(str(uid), uid, os.getegid(), frozenset(os.getgroups()))

    def may(self, path: Path, permission: int) -> bool:
        """Whether this user has ``permission`` (r=4, x=1) on ``path`` by its mode bits."""
        if self.uid == 0:
            return True
        info = path.stat()
        if info.st_uid == self.uid:
            shift = 6
        elif info.st_gid in self.groups:
            shift = 3
        else:
            shift = 0
        return bool(stat.S_IMODE(info.st_mode) >> shift & permission)


def broker_user(requested: str | None) -> BrokerUser:
    """Who mosquitto will run as, and so who must own the files written now.

    As root: ``requested`` or ``mosquitto``, to whom the files are then given. As anyone else:
    that user themself (only root can give files away); mosquitto started by them stays them,
    and started by root it switches to them through the ``user`` line."""
    if os.geteuid() == 0:
        return BrokerUser.named(requested or DEFAULT_BROKER_USER)
    me = BrokerUser.current()
    if requested and requested != me.name:
        raise BrokerUserError(
            f"--broker-user {requested!r}: only root can give the files to another user "
            f"(run broker-config as root, or leave --broker-user out to keep them {me.name}'s)"
        )
    return me


def hand_over(user: BrokerUser, directory: Path, files: Iterable[Path]) -> None:
    """Gives ``directory`` and ``files`` to ``user``; their modes (0700, 0600) stay."""
    if os.geteuid() != 0 or user.uid == 0:
        return
    for path in [directory, *files]:
        os.chown(path, user.uid, user.gid)


def unreachable(user: BrokerUser, files: Iterable[Path]) -> list[str]:
    """One line for each file ``user`` cannot read, or for the first directory on its way
    that ``user`` cannot enter, naming it and what to do."""
    problems: list[str] = []
    refused: set[Path] = set()
    for file in files:
        file = file.absolute()
        closed = next((d for d in reversed(file.parents) if not user.may(d, _SEARCH)), None)
        if closed is not None:
            if closed not in refused:
                refused.add(closed)
                mode = stat.S_IMODE(closed.stat().st_mode)
                problems.append(
                    f"{closed}: mosquitto, running as {user.name}, cannot enter this directory "
                    f"(mode {mode:o}): chmod o+x {closed}, or keep the files elsewhere"
                )
        elif not user.may(file, _READ):
            problems.append(
                f"{file}: mosquitto, running as {user.name}, cannot read this file: "
                f"chown {user.name} {file}"
            )
    return problems
