"""``comfort-hub pair-key``: make a key on one hub, show it, add it on the partner's hub."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hub._pair_key import PairKey, load_key
from hub.cli import main


@pytest.fixture(autouse=True)
def _each_hub_its_own_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two hubs' files name their data directories; the tests' shared one would win."""
    monkeypatch.delenv("COMFORT_HUB_DATA_DIR", raising=False)


def hub_config(tmp_path: Path, name: str, pair: str = "room") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'pair = "{pair}"\nwearers = ["alex", "sam"]\nbroker = "mqtt://127.0.0.1:1883"\n'
        f'data_dir = "{tmp_path / name}"\n'
        f'[[devices]]\nwearer = "{name}"\nprofile = "bangle"\n'
    )
    return path


def test_a_key_made_on_one_hub_and_added_on_the_other_is_the_same_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alex, sam = hub_config(tmp_path, "alex"), hub_config(tmp_path, "sam")
    assert main(["pair-key", "show", "--config", str(alex)]) == 2
    assert "pair-key new" in capsys.readouterr().err

    assert main(["pair-key", "new", "--config", str(alex)]) == 0
    capsys.readouterr()
    assert main(["pair-key", "show", "--config", str(alex)]) == 0
    shown = capsys.readouterr().out
    key_line = shown.splitlines()[-1]
    assert "▀" in shown or "█" in shown, "a QR code for a phone to scan"

    assert main(["pair-key", "add", key_line, "--config", str(sam)]) == 0
    assert load_key(tmp_path / "sam", "room") == load_key(tmp_path / "alex", "room")
    key_file = tmp_path / "sam" / "pair-room.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    # A second 'new' would strand the partner hub: it needs --force.
    assert main(["pair-key", "new", "--config", str(alex)]) == 2
    assert "--force" in capsys.readouterr().err


def test_a_key_for_another_pair_or_mistyped_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sam = hub_config(tmp_path, "sam")
    other = PairKey.generate("elsewhere").to_text()
    assert main(["pair-key", "add", other, "--config", str(sam)]) == 2
    assert "'elsewhere'" in capsys.readouterr().err
    typo = PairKey.generate("room").to_text()[:-1] + "#"
    assert main(["pair-key", "add", typo, "--config", str(sam)]) == 2
    assert "pair key" in capsys.readouterr().err
    assert load_key(tmp_path / "sam", "room") is None
