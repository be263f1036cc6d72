"""A running hub: the relay, one link per local wearable, and the pair's session."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from firmware_bridge import BleBackends, DeviceEvent, LinkEvent, WearableDriver, WearableLink
from hub._alerts import AlertPlayer
from hub._broker import BrokerAddress
from hub._events import Refused
from hub._pair_key import PairKey
from hub._ports import LevelStore
from hub._relay import MqttRelay
from hub._session import Observer, PairSession, SessionSettings
from hub._signing import MessageSeal, SealRefused
from hub._topics import Topics, check_name
from hub.practice import AgreementSync, Practice, PracticeRecords
from signals import HUB_STOPPING

# The session's and practice's timers (re-alerts, contact timeouts, drill steps, check-ins)
# are this precise; a person never notices 0.1 s there.
TICK_INTERVAL_S = 0.1
# At shutdown, how long the broker may take to acknowledge what is still in the outbox
# (``shutdown_send_timeout_s`` in the configuration). Bounded, so a hub told to stop while
# its broker is away still stops: held levels are on disk and said again at the next start.
DRAIN_TIMEOUT_S = 3.0
# Beyond the goodbye pattern itself (and what plays before it), how long a wearable may take
# to take it.
GOODBYE_SLACK_S = 1.0
# At most this long is waited for what plays or waits on a wrist before the goodbye: a stop
# that still plays is felt whole, but a hub told to stop does not wait out a long queue.
GOODBYE_AFTER_AT_MOST_S = 5.0
# At shutdown, how long a save (or an ack's commit) still under way may take before the
# publishes queued behind it are given up: far beyond any working disk, and bounded so a hub
# on a stuck disk still stops.
SETTLE_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class WearerDevice:
    """A local wearer and the device they wear."""

    wearer: str
    address: str
    driver: WearableDriver


class Hub:
    def __init__(
        self,
        pair_id: str,
        pair: tuple[str, str],
        devices: Sequence[WearerDevice],
        broker: BrokerAddress,
        *,
        observer: Observer,
        backends: BleBackends | None = None,
        settings: SessionSettings | None = None,
        store: LevelStore | None = None,
        hub_id: str | None = None,
        practice_records: PracticeRecords | None = None,
        seal: MessageSeal | None = None,
    ) -> None:
        """``seal`` holds the pair's key; without one the hub makes a key of its own, which
        serves a hub with both wearers but no partner hub (it cannot read this hub's messages)."""
        for name in pair:
            check_name("wearer", name)
        self.topics = Topics(check_name("pair", pair_id))
        wearers = [device.wearer for device in devices]
        # Stable across restarts (the broker keeps the hub's session under it), and
        # distinct for hubs serving different wearers.
        self.hub_id = check_name("hub id", hub_id or "-".join(sorted(wearers)) or "none")
        self.relay = MqttRelay(
            broker,
            self.topics,
            hub_id=self.hub_id,
            wearers=wearers,
            seal=seal or MessageSeal(PairKey.generate(pair_id)),
            on_refused=self._report_refusal,
        )
        self._observer = observer
        self.links = {
            device.wearer: WearableLink(
                device.address,
                device.driver,
                on_event=self._forward_event(device.wearer),
                on_link=self._forward_link(device.wearer),
                backends=backends,
            )
            for device in devices
        }
        self.players = {
            wearer: AlertPlayer(link.play, connected=link.connected)
            for wearer, link in self.links.items()
        }
        self.session = PairSession(
            pair_id,
            pair,
            self.players,
            self.relay,
            observer=observer,
            settings=settings,
            store=store,
            hub_id=self.hub_id,
        )
        self.practice = Practice(
            self.session,
            observer,
            {device.wearer: device.driver.profile.capabilities for device in devices},
            records=practice_records or PracticeRecords(pair),
            vocabulary=self.session.settings.vocabulary,
            calibrations=self.session.settings.tap_calibrations,
        )
        # The agreement and the plan reach a partner's hub over the broker too.
        self.relay.add_hook(
            AgreementSync(self.practice, self.topics, self.relay, observer, wearers)
        )

    def _report_refusal(self, topic: str, refusal: SealRefused) -> None:
        self._observer(Refused(self.topics.wearer_of(topic) or "hub", str(refusal)))

    def _forward_event(self, wearer: str) -> Callable[[DeviceEvent], None]:
        def forward(event: DeviceEvent) -> None:
            self.session.device_event(wearer, event)

        return forward

    def _forward_link(self, wearer: str) -> Callable[[LinkEvent], None]:
        def forward(event: LinkEvent) -> None:
            self.session.link_event(wearer, event)

        return forward

    async def run(self) -> None:
        """Runs until cancelled."""
        self.session.restore()
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self.relay.run(self.session))
                tasks.create_task(self._tick())
                for link in self.links.values():
                    tasks.create_task(link.run())
                try:
                    await asyncio.Event().wait()  # until cancelled, or a task above fails
                finally:
                    # Before the links let go of the wearables: a pattern still playing ends
                    # here, its motor told to stop, instead of writing to a wearable already
                    # let go while the relay says goodbye to the broker.
                    await self._close_players()
        finally:
            # And whatever was asked to play while the hub was stopping.
            await self._close_players()
            # A save still in its thread finishes before the store can be closed; what was
            # queued behind it is sent at the next start (the level is said again then).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SETTLE_TIMEOUT_S):
                    await self.session.settled()
            self.relay.close()

    async def _close_players(self) -> None:
        for player in self.players.values():
            await player.close()

    async def _tick(self) -> None:
        # One timer for the session and practice: with hundreds of pairs in a process, each
        # wake-up of the event loop is paid hundreds of times a tenth of a second.
        while True:
            await asyncio.sleep(TICK_INTERVAL_S)
            self.session.tick()
            self.practice.tick()

    async def wind_down(self, drain_timeout_s: float = DRAIN_TIMEOUT_S) -> list[str]:
        """Before the hub stops: each wearer feels that it is going (after what plays or waits
        on their wrist), and everything already published reaches the broker, if it takes it
        within ``drain_timeout_s``. Returns the topics of what it did not take. Cancelling
        :meth:`run` afterwards says ``offline`` and lets go of the wearables."""
        ahead_s = min(
            max((player.backlog_s for player in self.players.values()), default=0.0),
            GOODBYE_AFTER_AT_MOST_S,
        )
        goodbyes = [player.notify(HUB_STOPPING) for player in self.players.values()]
        if goodbyes:
            await asyncio.wait(
                goodbyes, timeout=ahead_s + HUB_STOPPING.duration_ms / 1000 + GOODBYE_SLACK_S
            )
        # Last, so that anything a wearer did during the goodbye is sent too; what waits
        # behind a save in a thread first reaches the outbox, then the broker.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SETTLE_TIMEOUT_S):
                await self.session.settled()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(drain_timeout_s):
                await self.relay.drained()
        return self.relay.unsent

    async def ready(self) -> None:
        """Waits until the broker and every local wearable are connected."""
        await self.relay.connected.wait()
        for link in self.links.values():
            await link.connected.wait()
