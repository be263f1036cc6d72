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
from signals._haptics import (
    CONFIRMATION,
    LINK_RESTORED,
    SIGNAL_PATTERNS,
    HapticPattern,
    Pulse,
    pattern_for,
)
from signals._tones import (
    SAMPLE_RATE_HZ,
    TONE_PATTERNS,
    Beep,
    TonePattern,
    synthesise,
    tone_for,
)
from signals._vocabulary import ComfortSignal, SignalSource

__all__ = [
    "CONFIRMATION",
    "LINK_RESTORED",
    "SAMPLE_RATE_HZ",
    "SIGNAL_PATTERNS",
    "TONE_PATTERNS",
    "AckIntent",
    "Beep",
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
    "TonePattern",
    "pattern_for",
    "synthesise",
    "tone_for",
]
