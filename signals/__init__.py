"""Pure signal processing for comfort-hub: the signal vocabulary and gesture classification.

Synchronous and numpy-only: nothing here knows of BLE, MQTT or HTTP.
"""

from signals._events import InputEvent, InputKind
from signals._gestures import (
    AckIntent,
    GestureClassifier,
    GestureVocabulary,
    Intent,
    SignalIntent,
)
from signals._haptics import CONFIRMATION, SIGNAL_PATTERNS, HapticPattern, Pulse, pattern_for
from signals._vocabulary import ComfortSignal, SignalSource

__all__ = [
    "CONFIRMATION",
    "SIGNAL_PATTERNS",
    "AckIntent",
    "ComfortSignal",
    "GestureClassifier",
    "GestureVocabulary",
    "HapticPattern",
    "InputEvent",
    "InputKind",
    "Intent",
    "Pulse",
    "SignalIntent",
    "SignalSource",
    "pattern_for",
]
