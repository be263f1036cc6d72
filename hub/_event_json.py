"""Session events as JSON objects, for the web page's live feed."""

from __future__ import annotations

from typing import Any

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


def event_json(event: HubEvent) -> dict[str, Any]:
    match event:
        case SignalSent(wearer, message, _):
            return {"type": "signal", "wearer": wearer, **message.model_dump(mode="json")}
        case PartnerAlerted(wearer, sender, message, _, latency):
            return {
                "type": "alert",
                "wearer": wearer,
                "from": sender,
                "signal": message.signal,
                "id": message.id,
                "latency_ms": latency,
            }
        case AlertUndelivered(wearer, message):
            return {"type": "alert_undelivered", "wearer": wearer, "id": message.id}
        case Realerted(wearer, sender, message, count, _):
            return {
                "type": "realert",
                "wearer": wearer,
                "from": sender,
                "signal": message.signal,
                "id": message.id,
                "count": count,
            }
        case StateRestored(wearer, level, since):
            return {
                "type": "restored",
                "wearer": wearer,
                "signal": level,
                "since": since.isoformat() if since else None,
            }
        case PartnerUnreachable(wearer, partner, reason, back):
            return {
                "type": "partner_unreachable",
                "wearer": wearer,
                "partner": partner,
                "reason": reason,
                "back": back,
            }
        case AckSent(wearer, message):
            return {"type": "ack", "wearer": wearer, **message.model_dump(mode="json")}
        case Confirmed(wearer, signal_id, by, _, delivered):
            return {
                "type": "confirmed",
                "wearer": wearer,
                "id": signal_id,
                "by": by,
                "delivered": delivered,
            }
        case DuplicateDropped(wearer, signal_id):
            return {"type": "duplicate", "wearer": wearer, "id": signal_id}
        case Refused(wearer, reason):
            return {"type": "refused", "wearer": wearer, "reason": reason}
        case LinkChanged(wearer, link):
            return {"type": "link", "wearer": wearer, "state": link.state, "address": link.address}
        case RawTapsOff(wearer, device, rate_hz, reason):
            return {
                "type": "raw_taps_off",
                "wearer": wearer,
                "device": device,
                "rate_hz": rate_hz,
                "reason": reason,
            }
        case HeartRate(wearer, reading):
            return {"type": "heart", "wearer": wearer, "bpm": reading.bpm}
        case BrokerChanged(connected, _):
            return {"type": "broker", "connected": connected}
        case AgreementConfirmed(wearer, vocabulary, both):
            return {
                "type": "agreement",
                "wearer": wearer,
                "vocabulary": list(vocabulary),
                "both_agreed": both,
            }
        case PlanChanged(by, changes):
            return {"type": "plan_changed", "by": by, "changes": dict(changes)}
        case RehearsalChanged(wearer, running, for_real, partner_signal):
            return {
                "type": "rehearsal",
                "wearer": wearer,
                "running": running,
                "for_real": for_real,
                "partner_signal": partner_signal,
            }
        case RehearsalStep(wearer, gesture, meaning, recognised, hint, felt):
            return {
                "type": "rehearsal_step",
                "source": "rehearsal",
                "wearer": wearer,
                "gesture": gesture,
                "meaning": meaning,
                "recognised": recognised,
                "hint": hint,
                "partner_felt": felt,
            }
        case PracticeCheckIn(check_in_id, wearer, answer):
            return {"type": "check_in", "id": check_in_id, "wearer": wearer, "answer": answer}
        case AftercareStarted(by):
            return {"type": "aftercare", "by": by}
        case FeedbackGiven(wearer, shared):
            return {"type": "feedback", "wearer": wearer, "shared": shared}
    raise TypeError(f"no JSON form for {type(event).__name__}")
