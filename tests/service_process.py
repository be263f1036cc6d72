"""``comfort-hub run`` in a process of its own, on simulated watches the test can see:
``python -m tests.service_process CONFIG [ABSENT_WEARER...]``.

The hub runs exactly as ``comfort-hub run --simulated`` does (its own signal handlers, its
own shutdown); its console goes to stderr. On stdout, one JSON line per thing a watch
lived through: ``{"watch": ADDRESS, "event": "connected"|"disconnected", "buzzes": [...]}``.
Lines on stdin drive the watches: ``tap WEARER``, ``press WEARER MS``. An absent wearer's
watch is never on the radio: the hub keeps looking for it (a "first found" one for
``RESOLVE_TIMEOUT_S`` from the environment, if set).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from firmware_bridge.sim import SimRadio, SimulatedBangle, SimulatedPeripheral
from hub import load_settings
from hub._lifecycle import HubCannotStart
from hub._service import RESOLVE_TIMEOUT_S, run_service


def emit(record: dict[str, object]) -> None:
    print(json.dumps(record), flush=True)


class WatchedBangle(SimulatedBangle):
    def on_connect(self) -> None:
        super().on_connect()
        emit({"watch": self.address, "event": "connected"})

    def on_disconnect(self) -> None:
        super().on_disconnect()
        buzzes = [[buzz.ms, buzz.strength] for buzz in self.buzzes]
        emit({"watch": self.address, "event": "disconnected", "buzzes": buzzes})


async def main(config: Path, absent: list[str]) -> int:
    settings = load_settings(config)
    radio = SimRadio()
    watches: dict[str, WatchedBangle] = {}
    for device in settings.devices:
        if device.wearer in absent:
            continue  # not on the radio: the hub looks for it and does not find it
        assert device.address is not None, "give every device an address"
        watches[device.wearer] = radio.add(WatchedBangle(device.address))

    async def obey() -> None:
        while True:
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                return
            command, wearer, *rest = line.split()
            if command == "tap":
                watches[wearer].tap()
            elif command == "press":
                watches[wearer].press(held_ms=int(rest[0]) if rest else 120)

    # A daemon thread reads stdin; the hub's own SIGTERM handling decides when to stop.
    commands = asyncio.create_task(obey())
    twins: dict[str, SimulatedPeripheral] = dict(watches)
    try:
        status = await run_service(
            settings,
            sys.stderr,
            room=(radio, twins),
            resolve_timeout_s=float(os.environ.get("RESOLVE_TIMEOUT_S", RESOLVE_TIMEOUT_S)),
        )
    except HubCannotStart as error:  # as `comfort-hub run` says it
        print(f"comfort-hub run: {error}", file=sys.stderr)
        status = 1
    commands.cancel()
    return status


if __name__ == "__main__":
    sys.exit(asyncio.run(main(Path(sys.argv[1]), sys.argv[2:])))
