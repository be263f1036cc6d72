"""The command line as a user meets it: --help with examples everywhere, one-line errors,
--version, shell completion, and progress that only a terminal sees."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hub._progress import progress
from hub.cli import build_parser, main, subcommand_parsers
from hub.commands._help import EXAMPLES_HEADING


def command_paths() -> list[list[str]]:
    """Every registered command and sub-command, as the words a user types."""
    paths: list[list[str]] = []

    def walk(parser: argparse.ArgumentParser, words: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    paths.append([*words, name])
                    walk(sub, [*words, name])

    walk(build_parser(), [])
    return paths


def leaf_paths() -> list[list[str]]:
    """Commands that run something (``bench detect``, not ``bench``)."""
    paths = command_paths()
    return [p for p in paths if not any(q[: len(p)] == p and q != p for q in paths)]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 1
    out, err = capsys.readouterr()
    return status, out, err


def test_the_walk_finds_every_registered_command() -> None:
    names = {" ".join(path) for path in command_paths()}
    assert {"run", "scan", "demo", "bench", "bench detect", "completion"} <= names
    assert len(list(subcommand_parsers(build_parser()))) == len(names)


@pytest.mark.parametrize("words", [[], *command_paths()], ids=lambda w: " ".join(w) or "top")
def test_every_help_shows_examples_of_that_command(
    capsys: pytest.CaptureFixture[str], words: list[str]
) -> None:
    status, out, _ = run_cli(capsys, *words, "--help")
    assert status == 0
    assert EXAMPLES_HEADING in out, f"`comfort-hub {' '.join(words)} --help` has no examples"
    examples = out.split(EXAMPLES_HEADING, 1)[1].strip("\n").splitlines()
    assert examples and all(line.startswith("  ") for line in examples)
    if words:
        # An example of `bench detect` shows `comfort-hub bench detect ...`, not some other command.
        assert any(f"comfort-hub {' '.join(words)}" in line for line in examples), examples


def assert_one_line_error(status: int, out: str, err: str) -> None:
    assert status != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"not one line: {err!r}"
    assert lines[0].startswith("comfort-hub")
    assert "Traceback" not in err and not out.strip()


@pytest.mark.parametrize("words", leaf_paths(), ids=lambda w: " ".join(w))
def test_every_command_refuses_an_unknown_option_in_one_line(
    capsys: pytest.CaptureFixture[str], words: list[str]
) -> None:
    status, out, err = run_cli(capsys, *words, "--no-such-option")
    # Whichever complaint comes first (an unknown option, a missing argument), it is one line.
    assert_one_line_error(status, out, err)


def errors(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """For each command, a mistake a user could make, and the words the error must name.
    (Every command, including ones added later, is also checked with an unknown option.)"""
    directory = tmp_path / "a-folder"
    directory.mkdir()
    bad_toml = tmp_path / "hub.toml"
    bad_toml.write_text('pair = "our room"\n')
    return {
        "run missing": (["run"], "--config"),
        "run no file": (["run", "--config", str(tmp_path / "nope.toml")], "nope.toml"),
        "run bad field": (["run", "--config", str(bad_toml)], "hub.toml: pair"),
        "run a folder": (["run", "--config", str(directory)], "a-folder"),
        "scan": (["scan", "--timeout", "0"], "--timeout"),
        "demo": (["demo", "--duration", "-3"], "duration"),
        "analyze-accel": (
            ["analyze-accel", str(tmp_path / "none.csv"), "--rate", "100"],
            "none.csv",
        ),
        "eval": (["eval", "--seeds", "0"], "--seeds"),
        "bench detect": (["bench", "detect", "--rate", "fast"], "--rate"),
        "bench latency": (["bench", "latency", "--n", "many"], "--n"),
        "completion": (["completion", "cmd.exe"], "cmd.exe"),
        "sessions": (
            ["sessions", "--end", "--hub", "http://127.0.0.1:9"],
            "no hub answers",
        ),
        "timeline": (
            ["timeline", "latest", "--out", str(tmp_path / "t.html"), "--data-dir", str(tmp_path)],
            "no event store",
        ),
        "erase": (["erase", "latest", "--data-dir", str(tmp_path)], "no event store"),
        "record": (
            ["record", "alex", "--seconds", "5", "--out", "x.csv", "--config", str(bad_toml)],
            "hub.toml: pair",
        ),
        "sim": (["sim", "tap", "alex", "--hub", "http://127.0.0.1:9"], "no hub answers"),
        # Nothing listens on port 9 (discard) on loopback: the hub is not running.
        "agree": (["agree", "alex", "--url", "http://127.0.0.1:9"], "cannot reach the hub"),
    }


ERROR_CASES = [
    "run missing",
    "run no file",
    "run bad field",
    "run a folder",
    "scan",
    "demo",
    "analyze-accel",
    "eval",
    "bench detect",
    "bench latency",
    "completion",
    "sessions",
    "timeline",
    "erase",
    "sim",
    "record",
    "agree",
]


@pytest.mark.parametrize("case", ERROR_CASES)
def test_a_mistake_with_each_command_is_one_line_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    argv, named = errors(tmp_path)[case]
    status, out, err = run_cli(capsys, *argv)
    assert_one_line_error(status, out, err)
    assert named in err


def test_an_unexpected_error_shows_its_traceback_only_with_verbose(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hub.commands.run

    def broken(args: object) -> int:
        raise RuntimeError("something no one foresaw")

    # A bug, not a user's mistake: the command's own code fails.
    monkeypatch.setattr(hub.commands.run, "run", broken)
    config = tmp_path / "hub.toml"
    status, _, err = run_cli(capsys, "run", "--config", str(config))
    assert status == 1 and len(err.strip().splitlines()) == 1 and "-v" in err
    status, _, err = run_cli(capsys, "run", "-v", "--config", str(config))
    assert status == 1
    assert "Traceback" in err
    assert err.strip().splitlines()[-1].startswith("comfort-hub run: ")


def test_version_names_the_installed_release(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    status, out, _ = run_cli(capsys, "--version")
    assert status == 0
    assert out.strip() == f"comfort-hub {version('comfort-hub')}"


def test_the_installed_command_runs_outside_python(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("comfort-hub")
    done = subprocess.run(
        [str(script), "run", "--config", str(tmp_path / "x.toml")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"comfort-hub run: {tmp_path / 'x.toml'}: no such file (see config/hub.example.toml)"
    )


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_completes_the_commands(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("comfort-hub")
    completion = subprocess.run(
        [str(script), "completion", "bash"], capture_output=True, text=True, timeout=30
    ).stdout
    (tmp_path / "complete.bash").write_text(completion)
    # Ask bash what it would offer after `comfort-hub be<Tab>` and `comfort-hub scan --t<Tab>`.
    probe = f"""
source {tmp_path / "complete.bash"}
offer() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}
  COMPREPLY=(); _shtab_comfort_hub; echo "${{COMPREPLY[*]}}"; }}
offer comfort-hub be
offer comfort-hub scan --t
"""
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30)
    first, second = done.stdout.splitlines()
    assert first.split() == ["bench"]
    assert "--timeout" in second.split()


def test_progress_is_drawn_on_a_terminal_and_nowhere_else() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        with progress("reading", total=4, stream=stream) as shown:
            for _ in range(4):
                shown.advance()
    assert "reading" in terminal.getvalue()
    assert pipe.getvalue() == ""


@pytest.mark.timeout(60)
async def test_json_logs_for_journald_one_object_per_line(tmp_path: Path) -> None:
    from hub._broker import free_loopback_port

    # A broker that is not there: the hub warns, and keeps trying.
    path = tmp_path / "hub.toml"
    path.write_text(
        f'pair = "logs"\nwearers = ["alex", "sam"]\nbroker = "mqtt://127.0.0.1:{free_loopback_port()}"\n'
        f'state_path = "{tmp_path / "state.sqlite3"}"\n[web]\nenabled = false\n'
        '[[devices]]\nwearer = "alex"\n[[devices]]\nwearer = "sam"\n'
    )
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("comfort-hub")),
        "--log-format",
        "json",
        "run",
        "--config",
        str(path),
        "--simulated",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    async with asyncio.timeout(30):
        first = json.loads(await process.stderr.readline())
    process.send_signal(signal.SIGTERM)
    _, rest = await process.communicate()
    assert first["level"] == "WARNING"
    assert first["logger"] == "hub._relay" and "MQTT broker" in first["message"]
    assert "time" in first
    for line in rest.decode().splitlines():
        record = json.loads(line)
        # Quiet by default: warnings and worse only.
        assert record["level"] in {"WARNING", "ERROR", "CRITICAL"}


def test_verbose_logs_detail_and_the_default_does_not(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import logging

    from hub._logging import LogFormat, configure_logging

    configure_logging(verbose=False, log_format=LogFormat.TEXT)
    logging.getLogger("hub.test").info("detail")
    logging.getLogger("hub.test").warning("trouble")
    configure_logging(verbose=True, log_format=LogFormat.TEXT)
    logging.getLogger("hub.test").debug("more detail")
    err = capsys.readouterr().err
    assert "detail" not in err.split("trouble")[0]
    assert "trouble" in err and "more detail" in err
    configure_logging(verbose=False)
