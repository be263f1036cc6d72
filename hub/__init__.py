"""The comfort-hub service: sessions, the MQTT relay, alerts, storage, web API and the CLI.

What other packages (the web layer, tests, tools) call is exported here; the ``hub._*`` modules
are private. Names load on first use, so ``import hub`` (the command line starting) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub._broker import (
        DEFAULT_PORT,
        DEFAULT_TLS_PORT,
        BrokerAddress,
        embedded_broker,
        free_loopback_port,
    )
    from hub._bus import (
        EventBus,
    )
    from hub._config import (
        DATA_DIR_VARIABLE,
        ConfigError,
        DeviceConfig,
        HomeAssistantConfig,
        HubSettings,
        SecurityConfig,
        WebConfig,
        default_data_dir,
        load_settings,
    )
    from hub._event_json import (
        event_json,
    )
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
        PracticeEvent,
        RawTapsOff,
        Realerted,
        Refused,
        RehearsalChanged,
        RehearsalStep,
        SignalSent,
        StateRestored,
    )
    from hub._hub import (
        Hub,
        WearerDevice,
    )
    from hub._messages import (
        AckMessage,
        AnyMessage,
        HubStatusMessage,
        MessageError,
        SignalMessage,
        StateMessage,
        decode,
        new_signal_id,
        utc_now,
    )
    from hub._session import (
        Observer,
        PairSession,
        SessionSettings,
    )
    from hub._topics import (
        ROOT,
        HubTopicKind,
        TopicKind,
        Topics,
        check_name,
    )

_WHERE = {
    "SessionSettings": "hub._session",
    "AckMessage": "hub._messages",
    "AckSent": "hub._events",
    "AftercareStarted": "hub._events",
    "AgreementConfirmed": "hub._events",
    "AlertUndelivered": "hub._events",
    "AnyMessage": "hub._messages",
    "BrokerAddress": "hub._broker",
    "BrokerChanged": "hub._events",
    "ConfigError": "hub._config",
    "Confirmed": "hub._events",
    "DATA_DIR_VARIABLE": "hub._config",
    "DEFAULT_PORT": "hub._broker",
    "DEFAULT_TLS_PORT": "hub._broker",
    "DeviceConfig": "hub._config",
    "DuplicateDropped": "hub._events",
    "EventBus": "hub._bus",
    "FeedbackGiven": "hub._events",
    "HeartRate": "hub._events",
    "HomeAssistantConfig": "hub._config",
    "Hub": "hub._hub",
    "HubEvent": "hub._events",
    "HubSettings": "hub._config",
    "HubStatusMessage": "hub._messages",
    "HubTopicKind": "hub._topics",
    "LinkChanged": "hub._events",
    "MessageError": "hub._messages",
    "Observer": "hub._session",
    "PairSession": "hub._session",
    "PartnerAlerted": "hub._events",
    "PartnerUnreachable": "hub._events",
    "PlanChanged": "hub._events",
    "PracticeCheckIn": "hub._events",
    "PracticeEvent": "hub._events",
    "ROOT": "hub._topics",
    "RawTapsOff": "hub._events",
    "Realerted": "hub._events",
    "Refused": "hub._events",
    "RehearsalChanged": "hub._events",
    "RehearsalStep": "hub._events",
    "SecurityConfig": "hub._config",
    "SignalMessage": "hub._messages",
    "SignalSent": "hub._events",
    "StateMessage": "hub._messages",
    "StateRestored": "hub._events",
    "TopicKind": "hub._topics",
    "Topics": "hub._topics",
    "WearerDevice": "hub._hub",
    "WebConfig": "hub._config",
    "check_name": "hub._topics",
    "decode": "hub._messages",
    "default_data_dir": "hub._config",
    "embedded_broker": "hub._broker",
    "event_json": "hub._event_json",
    "free_loopback_port": "hub._broker",
    "load_settings": "hub._config",
    "new_signal_id": "hub._messages",
    "utc_now": "hub._messages",
}

__all__ = [
    "DATA_DIR_VARIABLE",
    "DEFAULT_PORT",
    "DEFAULT_TLS_PORT",
    "ROOT",
    "AckMessage",
    "AckSent",
    "AftercareStarted",
    "AgreementConfirmed",
    "AlertUndelivered",
    "AnyMessage",
    "BrokerAddress",
    "BrokerChanged",
    "ConfigError",
    "Confirmed",
    "DeviceConfig",
    "DuplicateDropped",
    "EventBus",
    "FeedbackGiven",
    "HeartRate",
    "HomeAssistantConfig",
    "Hub",
    "HubEvent",
    "HubSettings",
    "HubStatusMessage",
    "HubTopicKind",
    "LinkChanged",
    "MessageError",
    "Observer",
    "PairSession",
    "PartnerAlerted",
    "PartnerUnreachable",
    "PlanChanged",
    "PracticeCheckIn",
    "PracticeEvent",
    "RawTapsOff",
    "Realerted",
    "Refused",
    "RehearsalChanged",
    "RehearsalStep",
    "SecurityConfig",
    "SessionSettings",
    "SignalMessage",
    "SignalSent",
    "StateMessage",
    "StateRestored",
    "TopicKind",
    "Topics",
    "WearerDevice",
    "WebConfig",
    "check_name",
    "decode",
    "default_data_dir",
    "embedded_broker",
    "event_json",
    "free_loopback_port",
    "load_settings",
    "new_signal_id",
    "utc_now",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'hub' has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value
