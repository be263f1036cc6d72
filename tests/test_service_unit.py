"""The systemd unit in config/ runs a command line the CLI accepts, as the docs say."""

from __future__ import annotations

import shlex
from pathlib import Path

from hub import HubSettings
from hub.cli import build_parser

UNIT = Path(__file__).parent.parent / "config" / "systemd" / "comfort-hub.service"


def settings_of(unit: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in unit.splitlines():
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def test_the_unit_runs_the_hub_with_json_logs_from_a_config_file() -> None:
    unit = settings_of(UNIT.read_text())
    (exec_start,) = unit["ExecStart"]
    program, *argv = shlex.split(exec_start)
    assert program.endswith("/.venv/bin/comfort-hub")
    args = build_parser().parse_args(argv)
    assert args.command == "run"
    assert args.log_format == "json"
    assert not args.verbose  # quiet by default in the journal
    assert str(args.config).startswith("/etc/comfort-hub/")


def test_the_unit_stops_with_sigterm_runs_unprivileged_and_points_at_real_settings() -> None:
    unit = settings_of(UNIT.read_text())
    assert unit["KillSignal"] == ["SIGTERM"]
    assert unit["User"] == ["comfort-hub"]
    assert "bluetooth" in unit["SupplementaryGroups"][0].split()
    assert "bluetooth.service" in unit["After"][0].split()
    for assignment in unit["Environment"]:
        name, _, _ = assignment.partition("=")
        field = name.removeprefix("COMFORT_HUB_").lower()
        assert field in HubSettings.model_fields, f"{name} is no setting of the hub"
    documented = Path(__file__).parent.parent / "docs" / "raspberry-pi.md"
    assert "config/systemd/comfort-hub.service" in documented.read_text()
