"""Configuration files: what a user writes, and the errors a typo gets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub import ConfigError, load_settings

GOOD = """
pair = "our-room"
wearers = ["alex", "sam"]

[[devices]]
wearer = "alex"
profile = "bangle"
address = "c4:8e:2a:10:33:01"

[[devices]]
wearer = "sam"
"""


def top(line: str) -> str:
    """GOOD with a top-level line (after a [[table]] it would belong to the table)."""
    return GOOD.replace('wearers = ["alex", "sam"]\n', f'wearers = ["alex", "sam"]\n{line}\n')


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(text)
    return path


def test_the_example_configuration_loads() -> None:
    example = Path(__file__).parent.parent / "config" / "hub.example.toml"
    settings = load_settings(example)
    assert settings.wearers == ("alex", "sam")
    assert settings.broker_address is None  # embedded broker
    assert settings.web.host == "127.0.0.1", "the page stays on the hub unless opened up"


def test_a_minimal_file_gets_sane_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD))
    alex, sam = settings.devices
    assert alex.address == "C4:8E:2A:10:33:01"
    assert (sam.profile, sam.address) == ("bangle", None)  # first Bangle.js found
    assert settings.realert_interval_s == 5.0
    assert settings.web.port == 8080


def test_the_environment_overrides_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMFORT_HUB_BROKER", "mqtt://10.0.0.2:1884")
    monkeypatch.setenv("COMFORT_HUB_WEB__PORT", "9000")
    settings = load_settings(write(tmp_path, GOOD))
    assert settings.broker_address is not None and settings.broker_address.port == 1884
    assert settings.web.port == 9000


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (GOOD.replace('"c4:8e:2a:10:33:01"', '"c4:8e:2a"'), "devices.0.address"),
        (GOOD.replace('wearer = "sam"', 'wearer = "kim"'), "not one of the wearers"),
        (GOOD.replace('["alex", "sam"]', '["alex", "alex"]'), "different names"),
        (GOOD.replace('pair = "our-room"', 'pair = "our room"'), "pair 'our room'"),
        (top('broker = "http://x"'), "scheme must be mqtt://"),
        (top("realert_interval_s = 0"), "realert_interval_s"),
        (top("colour = 3"), "colour"),
        (GOOD + 'colour = "red"\n', "devices.1.colour"),
        (GOOD.replace("[[devices]]", "[[devices", 1), "not valid TOML"),
    ],
)
def test_mistakes_are_named_with_the_file_and_field(
    tmp_path: Path, text: str, complaint: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(path) in str(error.value)
    assert complaint in str(error.value)


def test_a_missing_file_says_where_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no such file .*hub\.example\.toml"):
        load_settings(tmp_path / "nope.toml")


def test_a_file_that_is_not_utf8_or_a_directory_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "hub.toml"
    path.write_bytes(GOOD.encode().replace(b"our-room", b"our-r\xf6om"))
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value) == f"{path}: not UTF-8 text (byte 14 is 0xf6)"
    with pytest.raises(ConfigError, match=r"is a directory"):
        load_settings(tmp_path)


def test_a_data_dir_that_cannot_be_written_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COMFORT_HUB_DATA_DIR")  # the file's data_dir, not the tests' own
    (tmp_path / "a-file").write_text("")
    path = write(tmp_path, top(f'data_dir = "{tmp_path / "a-file" / "data"}"'))
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value) == (
        f"{path}: data_dir: {tmp_path / 'a-file'} is a file, not a directory"
    )


def test_a_broker_host_that_does_not_resolve_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, top('broker = "mqtt://no-such-host.invalid:1883"'))
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value).startswith(
        f"{path}: broker: host 'no-such-host.invalid' does not resolve"
    )
    assert "\n" not in str(error.value)


def test_an_older_state_path_names_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COMFORT_HUB_DATA_DIR")
    path = tmp_path / "hub.toml"
    path.write_text(
        f"""
pair = "home"
wearers = ["alex", "sam"]
state_path = "{tmp_path / "old" / "state.sqlite3"}"
[[devices]]
wearer = "alex"
[[devices]]
wearer = "sam"
"""
    )
    assert load_settings(path).data_dir == tmp_path / "old"


def self_signed(where: Path, name: str) -> tuple[Path, Path]:
    """A certificate and its key made by openssl, as docs/operations.md shows."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "2",
         "-subj", f"/CN={name}"],
        cwd=where, check=True, capture_output=True,
    )  # fmt: skip
    return where / f"{name}.crt", where / f"{name}.key"


def tls_config(tmp_path: Path, **files: Path | str) -> Path:
    lines = ['broker = "mqtts://127.0.0.1:1"', *(f'{k} = "{v}"' for k, v in files.items())]
    return write(tmp_path, top("\n".join(lines)))


def test_the_brokers_tls_files_are_checked_at_load_naming_field_and_file(
    tmp_path: Path,
) -> None:
    ca, _ = self_signed(tmp_path, "ca")
    cert, key = self_signed(tmp_path, "alexhub")
    _, other_key = self_signed(tmp_path, "other")
    good = load_settings(
        tls_config(tmp_path, broker_ca_file=ca, broker_cert_file=cert, broker_key_file=key)
    )
    assert good.broker_address is not None and good.broker_address.ca_file == ca

    (tmp_path / "notes.txt").write_text("not a certificate\n")
    wrong: list[tuple[dict[str, Path | str], str]] = [
        ({"broker_ca_file": "/nope/ca.crt"}, "broker_ca_file: /nope/ca.crt: no such file"),
        ({"broker_ca_file": tmp_path}, f"broker_ca_file: {tmp_path} is not a file"),
        (
            {"broker_ca_file": ca, "broker_cert_file": cert, "broker_key_file": "/nope/k.key"},
            "broker_key_file: /nope/k.key: no such file",
        ),
        (
            {"broker_ca_file": tmp_path / "notes.txt"},
            f"broker_ca_file: {tmp_path / 'notes.txt'}: not a PEM certificate",
        ),
        (
            {"broker_cert_file": cert, "broker_key_file": other_key},
            f"broker_cert_file: {cert} with broker_key_file {other_key}: not a certificate",
        ),
        ({"broker_key_file": key}, f"broker_key_file: {key} needs its certificate too"),
    ]
    for files, complaint in wrong:
        path = tls_config(tmp_path, **files)
        with pytest.raises(ConfigError) as error:
            load_settings(path)
        assert str(error.value).startswith(f"{path}: {complaint}"), files
        assert "\n" not in str(error.value)


def test_a_tls_file_from_the_environment_is_checked_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMFORT_HUB_BROKER_CA_FILE", str(tmp_path / "gone.crt"))
    path = tls_config(tmp_path)
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value) == (
        f"environment variable COMFORT_HUB_BROKER_CA_FILE: {tmp_path / 'gone.crt'}: no such file"
    )


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        (
            "realert_interval_s = 100000",
            "realert_interval_s: 100000 s is outside the safe range 1 to 30 s",
        ),
        ("realert_interval_s = 0.2", "realert_interval_s: 0.2 s is outside the safe range"),
        ("contact_timeout_s = 3600", "contact_timeout_s: 3600 s is outside the safe range 2 to 60"),
        ("contact_timeout_s = -1", "contact_timeout_s: -1 s is outside the safe range"),
    ],
)
def test_safety_timings_are_held_to_a_safe_range(tmp_path: Path, line: str, complaint: str) -> None:
    path = write(tmp_path, top(line))
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value).startswith(f"{path}: {complaint}")
    assert "\n" not in str(error.value)


def test_safety_timings_within_the_range_are_taken(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, top("realert_interval_s = 30\ncontact_timeout_s = 2")))
    assert (settings.realert_interval_s, settings.contact_timeout_s) == (30, 2)


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        (
            "COMFORT_HUB_REALERT_INTERVAL_S",
            "abc",
            "environment variable COMFORT_HUB_REALERT_INTERVAL_S: Input should be a valid number",
        ),
        (
            "COMFORT_HUB_CONTACT_TIMEOUT_S",
            "3600",
            "environment variable COMFORT_HUB_CONTACT_TIMEOUT_S: 3600 s is outside the safe range",
        ),
        (
            "COMFORT_HUB_WEB__PORT",
            "eighty",
            "environment variable COMFORT_HUB_WEB__PORT: Input should be a valid integer",
        ),
        (
            "COMFORT_HUB_WEARERS",
            "alex,sam",
            "environment variable COMFORT_HUB_WEARERS: not valid JSON",
        ),
    ],
)
def test_a_bad_value_from_the_environment_is_blamed_on_its_variable_not_the_file(
    tmp_path: Path, variable: str, value: str, complaint: str
) -> None:
    path = write(tmp_path, GOOD)
    result = subprocess.run(
        [sys.executable, "-m", "hub", "run", "--config", str(path)],
        env={**os.environ, variable: value},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"comfort-hub run: {complaint}"), result.stderr
    assert str(path) not in result.stderr


def test_a_bad_value_in_the_file_is_still_blamed_on_the_file_beside_a_bad_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMFORT_HUB_REALERT_INTERVAL_S", "abc")
    path = write(tmp_path, top("contact_timeout_s = 3600"))
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value).startswith(f"{path}: contact_timeout_s: 3600 s is outside")
    assert "; environment variable COMFORT_HUB_REALERT_INTERVAL_S: " in str(error.value)
