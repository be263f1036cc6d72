"""Pure signal processing for comfort-hub: the signal vocabulary, gestures, taps in raw
acceleration, heart-rate context, alert patterns.

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
    HUB_STOPPING,
    LINK_RESTORED,
    SIGNAL_PATTERNS,
    HapticPattern,
    Pulse,
    pattern_for,
)
from signals._heart import (
    CheckInAdvisory,
    ContactLost,
    ContactRestored,
    HeartEvent,
    HeartMonitorSettings,
    HeartRateMonitor,
    HeartWindow,
)
from signals._motion_meter import MotionMeter, motion_spread
from signals._rr import RrCleaning, RrStatistics, clean_rr, rr_statistics
from signals._tap_calibration import (
    MIN_TAPS,
    SAFE_BOUNDS,
    CalibrationBounds,
    MeasuredTap,
    calibrate,
    measure_taps,
    taps_asked_within,
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
    SHAPE_VISIBLE_RATE_HZ,
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
    "HUB_STOPPING",
    "LINK_RESTORED",
    "LOWEST_RATE_HZ",
    "MIN_TAPS",
    "SAFE_BOUNDS",
    "SAMPLE_RATE_HZ",
    "SHAPE_VISIBLE_RATE_HZ",
    "SIGNAL_PATTERNS",
    "TONE_PATTERNS",
    "VIGOROUS_MOTIONS",
    "AccelUnit",
    "AckIntent",
    "Beep",
    "CalibrationBounds",
    "CheckInAdvisory",
    "ComfortSignal",
    "ContactLost",
    "ContactRestored",
    "CorpusSettings",
    "GestureClassifier",
    "GestureVocabulary",
    "HapticPattern",
    "HeartEvent",
    "HeartMonitorSettings",
    "HeartRateMonitor",
    "HeartWindow",
    "InputEvent",
    "InputKind",
    "Intent",
    "MeasuredTap",
    "MotionMeter",
    "Pulse",
    "RecordingScore",
    "RrCleaning",
    "RrStatistics",
    "SignalIntent",
    "SignalSource",
    "SyntheticRecording",
    "TapDetector",
    "TapDetectorSettings",
    "TapPattern",
    "TimedSignal",
    "TonePattern",
    "calibrate",
    "clean_rr",
    "detect_taps",
    "lay_tap",
    "measure_taps",
    "motion_spread",
    "pattern_for",
    "rr_statistics",
    "score_recording",
    "signals_from_taps",
    "synthesise",
    "synthesise_tap_recording",
    "taps_asked_within",
    "to_g",
    "tone_for",
    "vigorous_motion",
]
