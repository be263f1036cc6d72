"""Before, during and after a session: agreeing the signals and a shared plan, rehearsing the
gestures, gentle check-ins, aftercare and private feedback. Around the spoken conversation,
never instead of it; nothing of it is a contract. Nothing of it leaves the pair's hubs: with
a hub each, the agreement and the plan go from one to the other (``_sync``), answers never."""

from hub.practice._check import PRE_SESSION_CHECK
from hub.practice._checkins import CHECK_IN_PULSE
from hub.practice._drill import Hint, judge
from hub.practice._gestures import Gesture, GestureKind, gestures_for
from hub.practice._hooks import PracticeError, SessionHooks
from hub.practice._practice import AFTERCARE_PULSE, Practice
from hub.practice._records import (
    Feedback,
    PlanChange,
    PracticeRecords,
    SharedPlan,
    practice_file,
    practice_files,
)
from hub.practice._sync import AgreementSync
from hub.practice._tap_rehearsal import CalibrationOutcome

__all__ = [
    "AFTERCARE_PULSE",
    "CHECK_IN_PULSE",
    "PRE_SESSION_CHECK",
    "AgreementSync",
    "CalibrationOutcome",
    "Feedback",
    "Gesture",
    "GestureKind",
    "Hint",
    "PlanChange",
    "Practice",
    "PracticeError",
    "PracticeRecords",
    "SessionHooks",
    "SharedPlan",
    "gestures_for",
    "judge",
    "practice_file",
    "practice_files",
]
