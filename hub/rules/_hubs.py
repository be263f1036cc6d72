"""Which hubs serve which wearers, and whether each is there: its retained status (with
``offline`` as its last will) and its heartbeat, so a frozen hub, or a broken bridge between
two brokers, is noticed as surely as a crashed one. A partner whose hub is never heard at all
(not started, another broker or pair name, another pair key: its messages refused) is
unreachable too, once this hub has been connected long enough to have heard it."""

from __future__ import annotations

from dataclasses import dataclass

from hub._messages import HubStatusMessage
from hub.rules._wearers import Unreachable

# A hub sends its heartbeat this often while it runs...
ALIVE_INTERVAL_S = 1.0
# ...and is declared gone after this long without one: three missed beats, so one late or
# lost beat on a busy machine is no false alarm.
SILENT_AFTER_S = 3.0
# A partner hub that runs is heard within a beat of this hub connecting (its retained status
# at once, a heartbeat every second). This grace is longer than SILENT_AFTER_S only because a
# partner hub started together with this one may connect a few seconds later (a slow Pi, a
# busy machine), and that is no fault worth a pause; any longer and a stop made meanwhile
# would go nowhere while the wearer's page said "all clear".
UNHEARD_AFTER_S = 5.0


@dataclass
class _Hub:
    wearers: frozenset[str]
    online: bool
    last_heard_at: float


class PartnerHubs:
    def __init__(self, own_hub: str) -> None:
        self._own = own_hub
        self._hubs: dict[str, _Hub] = {}
        # When this hub last connected to the broker (None while it is away), and the
        # wearers whose hub was not heard within UNHEARD_AFTER_S of a connection: they stay
        # unheard across reconnects until a hub serving them is heard, so a reconnect does
        # not announce a link back that never was.
        self._connected_at: float | None = None
        self._unheard: set[str] = set()
        # When these rules first looked (the hub's start), and whether this hub has ever
        # reached the broker: a hub that never does hears nobody either, and its wearer must
        # not stay "all clear" (a wrong broker address, a broker down at start).
        self._started_at: float | None = None
        self._ever_connected = False

    def heard(self, hub: str, message: HubStatusMessage, *, alive: bool, at: float) -> bool:
        """Takes in a status or heartbeat; True when it says ``hub`` (re)started serving."""
        if hub == self._own:
            return False
        known = self._hubs.get(hub)
        online = message.status == "online"
        came = online and (known is None or not known.online)
        # Only a heartbeat, or a hub coming (back) online, says it is there now: a retained
        # "online" may be old news.
        heard_at = at if alive or came or known is None else known.last_heard_at
        self._hubs[hub] = _Hub(frozenset(message.wearers), online, heard_at)
        return came

    def heard_anew(self, at: float) -> None:
        """This hub is back on the broker: every hub gets a fresh chance to be heard."""
        self._connected_at = at
        self._ever_connected = True
        for known in self._hubs.values():
            known.last_heard_at = at

    def broker_lost(self) -> None:
        self._connected_at = None

    def serving(self, wearer: str) -> list[str]:
        return [name for name, known in self._hubs.items() if wearer in known.wearers]

    def gone(self, wearer: str, at: float) -> Unreachable | None:
        """Why the hubs serving ``wearer`` cannot be heard, or None. A partner that no hub has
        been heard serving within UNHEARD_AFTER_S of connecting (or of starting, for a hub
        that has not reached the broker yet) is unheard: a client that
        speaks for a wearer must send a hub's status and heartbeat too (docs/protocol.md)."""
        if self._started_at is None:
            self._started_at = at
        serving = [known for known in self._hubs.values() if wearer in known.wearers]
        if not serving:
            since = self._connected_at if self._ever_connected else self._started_at
            if since is not None and at - since > UNHEARD_AFTER_S:
                self._unheard.add(wearer)
            return Unreachable.PARTNER_HUB_UNHEARD if wearer in self._unheard else None
        if not any(known.online for known in serving):
            return Unreachable.PARTNER_HUB_OFFLINE
        if all(at - known.last_heard_at > SILENT_AFTER_S for known in serving if known.online):
            return Unreachable.PARTNER_HUB_SILENT
        return None
