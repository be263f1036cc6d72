"""Pure signal processing for comfort-hub: the signal vocabulary, gestures, taps in raw
acceleration, alert patterns.

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
from signals._tap_corpus import (
    VIGOROUS_MOTIONS,
    CorpusSettings,
    SyntheticRecording,
    TapPattern,
    lay_tap,
    synthesise_tap_recording,
    vigorous_motion,
)
from signals._tap_scoring import RecordingScore, TimedSignal, score_recording, signals_from_taps
from signals._taps import (
    HIGHEST_RATE_HZ,
    LOWEST_RATE_HZ,
    TapDetector,
    TapDetectorSettings,
    detect_taps,
)
from signals._tones import (
    SAMPLE_RATE_HZ,
    TONE_PATTERNS,
    Beep,
    TonePattern,
    synthesise,
    tone_for,
)
from signals._units import AccelUnit, to_g
from signals._vocabulary import ComfortSignal, SignalSource

__all__ = [
    "CONFIRMATION",
    "HIGHEST_RATE_HZ",
    "LINK_RESTORED",
    "LOWEST_RATE_HZ",
    "SAMPLE_RATE_HZ",
    "SIGNAL_PATTERNS",
    "TONE_PATTERNS",
    "VIGOROUS_MOTIONS",
    "AccelUnit",
    "AckIntent",
    "Beep",
    "ComfortSignal",
    "CorpusSettings",
    "GestureClassifier",
    "GestureVocabulary",
    "HapticPattern",
    "InputEvent",
    "InputKind",
    "Intent",
    "Pulse",
    "RecordingScore",
    "SignalIntent",
    "SignalSource",
    "SyntheticRecording",
    "TapDetector",
    "TapDetectorSettings",
    "TapPattern",
    "TimedSignal",
    "TonePattern",
    "detect_taps",
    "lay_tap",
    "pattern_for",
    "score_recording",
    "signals_from_taps",
    "synthesise",
    "synthesise_tap_recording",
    "to_g",
    "tone_for",
    "vigorous_motion",
]
