"""The pair's rules as a pure state machine (sans-I/O): inputs with a time in, effects out.

:class:`PairRules` holds the rules; :mod:`hub._session` is the shell that feeds it and
carries out its effects.
"""

from hub.rules._hubs import ALIVE_INTERVAL_S, SILENT_AFTER_S, UNHEARD_AFTER_S
from hub.rules._io import (
    AckAsked,
    BrokerChanged,
    Buzz,
    CheckIn,
    Commit,
    Confirm,
    ContactChanged,
    DeviceLink,
    Effect,
    Gesture,
    HeardAck,
    HeardHub,
    HeardSignal,
    HeardState,
    Input,
    Publish,
    Record,
    ResumeAsked,
    Save,
    SavedLevel,
    Tick,
)
from hub.rules._memory import IDS_KEPT_PER_WEARER
from hub.rules._pair import PairRules
from hub.rules._settings import SessionSettings
from hub.rules._wearers import LinkHold, Unreachable

__all__ = [
    "ALIVE_INTERVAL_S",
    "IDS_KEPT_PER_WEARER",
    "SILENT_AFTER_S",
    "UNHEARD_AFTER_S",
    "AckAsked",
    "BrokerChanged",
    "Buzz",
    "CheckIn",
    "Commit",
    "Confirm",
    "ContactChanged",
    "DeviceLink",
    "Effect",
    "Gesture",
    "HeardAck",
    "HeardHub",
    "HeardSignal",
    "HeardState",
    "Input",
    "LinkHold",
    "PairRules",
    "Publish",
    "Record",
    "ResumeAsked",
    "Save",
    "SavedLevel",
    "SessionSettings",
    "Tick",
    "Unreachable",
]
