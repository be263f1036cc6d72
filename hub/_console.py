"""One line per session event, for people watching a terminal."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from firmware_bridge import LinkState
from hub._events import (
    AckSent,
    AftercareStarted,
    AgreementConfirmed,
    AlertUndelivered,
    BrokerChanged,
    Confirmed,
    DuplicateDropped,
    FeedbackGiven,
    HeartRate,
    HubEvent,
    LinkChanged,
    PartnerAlerted,
    PartnerUnreachable,
    PlanChanged,
    PracticeCheckIn,
    RawTapsOff,
    Realerted,
    Refused,
    RehearsalChanged,
    RehearsalStep,
    SignalSent,
    StateRestored,
)
from signals import ComfortSignal


def describe(event: HubEvent) -> str | None:
    """The line for ``event``; None for events too frequent to print (heart rate)."""
    match event:
        case SignalSent(wearer, message, _) if message.source == "link":
            how = f"link, id {message.id[:8]}"
            return f"{wearer}'s side says {message.signal.upper()} for them ({how})"
        case SignalSent(wearer, message, _):
            how = f"{message.source}, id {message.id[:8]}"
            return f"{wearer} signals {message.signal.upper()} ({how})"
        case AlertUndelivered(wearer, message):
            return f"{wearer}'s wearable could NOT be buzzed for {message.signal.upper()}"
        case PartnerAlerted(wearer, sender, message, _, latency):
            cause = "gesture" if message.source in ("tap", "button") else f"{message.source} event"
            timing = f" {latency:.1f} ms after {sender}'s {cause}" if latency is not None else ""
            return f"{wearer}'s wearable buzzes {message.signal.upper()}{timing}"
        case Realerted(wearer, sender, message, count, _):
            return (
                f"{wearer} has not acknowledged {sender}'s {message.signal.upper()}: "
                f"alert {count + 1}, now with sound"
            )
        case StateRestored(wearer, level, since):
            when = f" since {since:%H:%M:%S} UTC" if since is not None else ""
            return (
                f"restarted: {wearer} still holds {level.upper()}{when}; telling the partner again"
            )
        case PartnerUnreachable(wearer, partner, reason, back):
            if back:
                return f"{partner}'s side can be heard again; {wearer} is told"
            return f"{reason}: {wearer} is told to PAUSE ({partner} cannot be heard)"
        case AckSent(wearer, message):
            return f"{wearer} acknowledges (id {message.id[:8]})"
        case Confirmed(wearer, signal_id, by, _, delivered):
            felt = "feels" if delivered else "could NOT feel"
            return f"{wearer} {felt} the confirmation: {by} noticed (id {signal_id[:8]})"
        case DuplicateDropped(wearer, signal_id):
            return f"duplicate of {wearer}'s {signal_id[:8]} dropped"
        case Refused(wearer, reason):
            return f"REFUSED from {wearer}: {reason}"
        case LinkChanged(wearer, link):
            note = {
                LinkState.CONNECTED: "connected",
                LinkState.LOST: "LOST",
                LinkState.RESTORED: "restored",
                LinkState.STALE: "STALE (connected but silent)",
            }.get(link.state, link.state)
            return f"{wearer}'s wearable {link.address}: {note}"
        case BrokerChanged(connected, _):
            return "MQTT broker connected" if connected else "MQTT broker LOST"
        case RawTapsOff(reason=reason):
            return reason
        case HeartRate():
            return None
        case AgreementConfirmed(wearer, _, both):
            return f"{wearer} confirmed their signals" + (" (both have now)" if both else "")
        case PlanChanged(by, changes):
            return f"{by} changed the plan: {', '.join(name for name, _ in changes)}"
        case RehearsalChanged(wearer, _, _, ComfortSignal() as signal):
            return (
                f"rehearsal of {wearer}'s signals ends: their partner's {signal} is real, "
                f"and {wearer}'s press acknowledges it"
            )
        case RehearsalChanged(wearer, _, True):
            return f"rehearsal of {wearer}'s signals ends: {wearer} made a real signal"
        case RehearsalChanged(wearer, running):
            return f"rehearsal of {wearer}'s signals {'starts' if running else 'ends'}"
        case RehearsalStep(wearer, gesture, meaning, recognised, hint, _):
            verdict = "recognised" if recognised else f"NOT recognised ({hint})"
            return f"rehearsal: {wearer}'s {gesture} ({meaning}) {verdict}"
        case PracticeCheckIn(_, None, _):
            return "check-in: a gentle pulse to both wrists"
        case PracticeCheckIn(_, wearer, answer):
            return f"check-in: {wearer}: {'all good' if answer == 'all_good' else 'no answer'}"
        case AftercareStarted(by):
            return f"{by} ended the session: aftercare pulse to both wrists"
        case FeedbackGiven(wearer, shared):
            return f"{wearer} gave feedback ({'shared' if shared is not None else 'private'})"
    return None


class ConsoleReporter:
    """Prints events with the seconds since the reporter started."""

    def __init__(self, out: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._out = out
        self._clock = clock
        self._start = clock()

    def __call__(self, event: HubEvent) -> None:
        line = describe(event)
        if line is not None:
            self.say(line)

    def say(self, line: str) -> None:
        print(f"{self._clock() - self._start:8.3f}s  {line}", file=self._out, flush=True)
