"""Why the broker will not keep this hub, said once, in words an operator can act on.

The relay retries every lost or refused connection at its backoff and says so in a short
warning each time. Two causes never go away by retrying, and a warning repeated every few
seconds does not name them:

- the broker refuses the hub's credentials (CONNACK "not authorised" or "bad user name or
  password"): the user name or password is wrong or missing;
- another client connects with this hub's client id (a second hub started with the same
  configuration, on another data folder): the broker hands the id to whoever connected last,
  so the two knock each other off about every second. MQTT 3.1.1 tells the one knocked off
  nothing, so it is recognised by its shape: sessions the broker accepts and then ends
  within seconds, again and again, with no lasting session in between. A broker restarted
  ends one lasting session and refuses the reconnects until it is back, then keeps the
  next one.

Each is said once, until a connection shows it has gone (accepted, or lasting). Pure: the
relay passes in what happened and when.
"""

from __future__ import annotations

from collections.abc import Sequence

import aiomqtt

from hub._broker import BrokerAddress

# CONNACK return codes that mean the credentials: MQTT 3.1.1 4 (bad user name or password)
# and 5 (not authorised), and the MQTT 5 reason codes paho turns them into (134, 135).
_CREDENTIALS_REFUSED = frozenset({4, 5, 134, 135})
# A session the broker ended within this long of accepting it is a quick loss: taken over,
# the hubs here were knocked off within about a second.
QUICK_LOSS_S = 5.0
# So many quick losses with no lasting session between them: another client has this hub's
# client id. Three, so that a broker restart or one flap is never mistaken for it.
QUICK_LOSSES_TO_TELL = 3


def credentials_refused(errors: Sequence[BaseException]) -> bool:
    for error in errors:
        if isinstance(error, aiomqtt.MqttCodeError):
            code = getattr(error.rc, "value", error.rc)
            if code in _CREDENTIALS_REFUSED:
                return True
    return False


class BrokerTrouble:
    """Follows the relay's connections; :meth:`lost` returns an explanation once."""

    def __init__(self, broker: BrokerAddress, client_id: str) -> None:
        self.broker = broker
        self.client_id = client_id
        self._accepted_at: float | None = None
        self._quick_losses = 0
        self._told_credentials = False
        self._told_taken = False

    def accepted(self, now: float) -> None:
        """The broker accepted a connection at ``now``."""
        self._accepted_at = now
        # The credentials work (again): if they are refused later, say so again.
        self._told_credentials = False

    def lost(self, errors: Sequence[BaseException], now: float) -> str | None:
        """A connection attempt or session ended with ``errors`` at ``now``: the one-line
        explanation to log, the first time a cause is recognised; otherwise None."""
        accepted_at, self._accepted_at = self._accepted_at, None
        if credentials_refused(errors):
            self._quick_losses = 0
            if self._told_credentials:
                return None
            self._told_credentials = True
            return self._credentials_message()
        if accepted_at is None:
            # Not accepted: the broker away, or knocked off before its acceptance was read
            # (the other client came in at once, and the broker's reset dropped the unread
            # CONNACK). Neither says the id is free again: only a lasting session does.
            return None
        if now - accepted_at >= QUICK_LOSS_S:
            self._quick_losses = 0
            self._told_taken = False
            return None
        self._quick_losses += 1
        if self._quick_losses < QUICK_LOSSES_TO_TELL or self._told_taken:
            return None
        self._told_taken = True
        account = (
            f" (or its broker account {self.broker.username!r}: a broker that ties client ids "
            "to accounts, as broker-config's does)"
            if self.broker.username
            else ""
        )
        return (
            f"broker {self.broker}: another client is using this hub's MQTT client id "
            f"{self.client_id!r}{account} and keeps taking the connection: is a second hub "
            "running with this config? Stop it, or give each hub its own configuration and "
            "broker account"
        )

    def _credentials_message(self) -> str:
        what = (
            f"not authorized as user {self.broker.username!r}: the user name/password are wrong"
            if self.broker.username
            else "not authorized: no user name/password were given"
        )
        return (
            f"broker {self.broker}: {what} (set COMFORT_HUB_BROKER_USERNAME / "
            "COMFORT_HUB_BROKER_PASSWORD, see docs/operations.md); wearers on this hub still "
            "reach each other, and it keeps trying"
        )
