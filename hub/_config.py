"""The hub's configuration: a TOML file, with COMFORT_HUB_* environment variables on top.

Errors name the file and the field, so a typo is found without reading code.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from hub._broker import BrokerAddress
from hub._config_checks import unusable_on_this_machine
from hub._config_sources import describe_problems, unparsed_variable
from hub._topics import check_name

DATA_DIR_VARIABLE = "COMFORT_HUB_DATA_DIR"


def default_data_dir() -> Path:
    """``COMFORT_HUB_DATA_DIR`` if set, else the platform's user data directory."""
    chosen = os.environ.get(DATA_DIR_VARIABLE)
    return Path(chosen) if chosen else platformdirs.user_data_path("comfort-hub")


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names file and field."""


class DeviceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    wearer: str
    profile: str = "bangle"
    # None: the first advertising device of the profile that no other wearer is bound to.
    address: str | None = None

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        from firmware_bridge import profile_keys

        if value not in profile_keys():
            raise ValueError(f"unknown profile {value!r}; known: {', '.join(profile_keys())}")
        return value

    @field_validator("address")
    @classmethod
    def _looks_like_an_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = value.split(":")
        is_address = len(parts) == 6 and all(len(p) == 2 and _is_hex(p) for p in parts)
        # macOS names devices by UUID instead of address: accept those too.
        is_uuid = len(value) == 36 and value.count("-") == 4
        if not (is_address or is_uuid):
            raise ValueError(f"{value!r} is not a Bluetooth address like C4:8E:2A:10:33:01")
        return value.upper()


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


class WebConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    # Loopback by default: intimate data stays on the hub unless the user opens it up.
    # Any other address still needs each wearer's token (the printed links).
    host: str = "127.0.0.1"
    # 0 asks for any free port; a busy port is an error, never a silent move.
    port: Annotated[int, Field(ge=0, le=65535)] = 8080
    # More names the page is reached by (the Host header), e.g. "hub.home.arpa".
    names: list[str] = []
    # Print each wearer's link as a QR code too, for a phone to scan.
    qr: bool = True


class SecurityConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Encrypt payloads too, for a broker the pair does not trust: it then sees topics and
    # sizes only (docs/protocol.md). Messages are signed either way.
    encrypt: bool = False


class HomeAssistantConfig(BaseModel):
    """``[home_assistant]``: MQTT discovery of the wearables (off unless enabled)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    discovery_prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")] = (
        "homeassistant"
    )
    # Heart rate is intimate: Home Assistant gets a sensor for it only when asked.
    share_heart_rate: bool = False


# The safety timings docs/safety.md promises, and how far a configuration may move them (s):
# beyond these a promise is broken in effect (a stop alerted again once an hour is not
# re-alerted; a strap off the skin for ten minutes unnoticed), or a wrist buzzes without rest.
SAFETY_TIMINGS_S = {
    "realert_interval_s": (1.0, 30.0),
    "contact_timeout_s": (2.0, 60.0),
}


class HubSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COMFORT_HUB_", env_nested_delimiter="__", extra="forbid"
    )

    pair: str
    wearers: tuple[str, str]
    devices: list[DeviceConfig]
    broker: str | None = None
    # The broker's user for this hub: from the environment (COMFORT_HUB_BROKER_USERNAME,
    # COMFORT_HUB_BROKER_PASSWORD) rather than the file; never logged.
    broker_username: str | None = None
    broker_password: SecretStr | None = None
    # For mqtts:// brokers: the CA that signed the broker's certificate, and this hub's own
    # certificate and key when the broker asks for client certificates.
    broker_ca_file: Path | None = None
    broker_cert_file: Path | None = None
    broker_key_file: Path | None = None
    web: WebConfig = WebConfig()
    home_assistant: HomeAssistantConfig = HomeAssistantConfig()
    sound: bool = False
    # Where the event store (sessions, events, held levels), pair keys, counters and the
    # page secret live: private, 0700.
    data_dir: Path = Field(default_factory=default_data_dir)
    # Both wearables gone this long ends a session by itself.
    session_idle_end_s: Annotated[float, Field(gt=0)] = 300.0
    security: SecurityConfig = SecurityConfig()
    # How often an unacknowledged pause or stop is alerted again, and how long a sensor may
    # be off the skin before the partner is told to pause (bounded: SAFETY_TIMINGS_S).
    realert_interval_s: float = 5.0
    contact_timeout_s: float = 10.0
    # When the hub is told to stop (SIGTERM, Ctrl-C), how long the broker may take to take
    # what is still unsent: held levels are said again at the next start all the same.
    shutdown_send_timeout_s: Annotated[float, Field(gt=0)] = 3.0

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment overrides the file (the file arrives as init arguments).
        return (env_settings, init_settings)

    @model_validator(mode="before")
    @classmethod
    def _state_path_names_the_data_dir(cls, data: Any) -> Any:
        # Configurations from before the event store named the held-level file; its folder
        # is the data directory (where the old files are found and imported).
        if isinstance(data, dict) and "state_path" in data:
            data = dict(data)
            state_path = Path(str(data.pop("state_path"))).expanduser()
            data.setdefault("data_dir", state_path.parent)
        return data

    @field_validator("pair")
    @classmethod
    def _pair_name(cls, value: str) -> str:
        return check_name("pair", value)

    @field_validator("wearers")
    @classmethod
    def _wearer_names(cls, value: tuple[str, str]) -> tuple[str, str]:
        for name in value:
            check_name("wearer", name)
        if value[0] == value[1]:
            raise ValueError(f"the two wearers need different names, got {value[0]!r} twice")
        return value

    @field_validator(*SAFETY_TIMINGS_S)
    @classmethod
    def _safety_timing(cls, value: float, info: ValidationInfo) -> float:
        low, high = SAFETY_TIMINGS_S[str(info.field_name)]
        if not low <= value <= high:
            raise ValueError(
                f"{value:g} s is outside the safe range {low:g} to {high:g} s (docs/safety.md)"
            )
        return value

    @field_validator("broker")
    @classmethod
    def _broker_url(cls, value: str | None) -> str | None:
        if value is not None:
            BrokerAddress.parse(value)
        return value

    @model_validator(mode="after")
    def _devices_belong_to_wearers(self) -> HubSettings:
        seen: set[str] = set()
        for device in self.devices:
            if device.wearer not in self.wearers:
                raise ValueError(
                    f"device for {device.wearer!r}: not one of the wearers {list(self.wearers)}"
                )
            if device.wearer in seen:
                raise ValueError(f"{device.wearer!r} has more than one device")
            seen.add(device.wearer)
        if not self.devices:
            raise ValueError("no devices: bind at least one wearer to a wearable")
        if self.broker is None and len(self.devices) < 2:
            raise ValueError(
                "with one wearer on this hub, name the broker the other hub uses (broker = ...)"
            )
        return self

    @property
    def broker_address(self) -> BrokerAddress | None:
        if self.broker is None:
            return None
        address = BrokerAddress.parse(self.broker)
        return replace(
            address,
            username=self.broker_username or address.username,
            password=(
                self.broker_password.get_secret_value()
                if self.broker_password is not None
                else address.password
            ),
            ca_file=self.broker_ca_file,
            cert_file=self.broker_cert_file,
            key_file=self.broker_key_file,
        )


def load_settings(path: Path) -> HubSettings:
    """Reads ``path``; raises :class:`ConfigError` naming the file, line or field (or the
    environment variable, for a value set there)."""
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (see config/hub.example.toml)") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory; name the configuration file in it") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {error.start} is 0x{error.object[error.start]:02x})"
        ) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {' '.join(str(error).split())}") from None
    try:
        settings = HubSettings(**data)
    except ValidationError as error:
        # One line, as every error of the command line: "file: field: what; field: what".
        problems = [(".".join(str(p) for p in e["loc"]), _reason(e)) for e in error.errors()]
        raise ConfigError(describe_problems(path, problems)) from None
    except SettingsError as error:  # a variable holding a list or table that is not JSON
        name = unparsed_variable(str(error))
        if name is None:
            raise ConfigError(f"{path}: {error}") from None
        raise ConfigError(
            f"environment variable {name}: not valid JSON (a list or a table is given in "
            """JSON, e.g. '["alex", "sam"]')"""
        ) from None
    problem = unusable_on_this_machine(settings)
    if problem is not None:
        field, _, what = problem.partition(": ")
        raise ConfigError(describe_problems(path, [(field, what)]))
    return settings


def _reason(error: Any) -> str:
    """Pydantic's message, without its "Value error, " before the validators' own words."""
    if error["type"] == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])
    return str(error["msg"])
