from __future__ import annotations

import gc
import itertools
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from hub import BrokerAddress
from tests.brokers import Mosquitto, running_broker
from tests.browser import browser  # noqa: F401 - the page tests' fixture

_pair_numbers = itertools.count()


@pytest.fixture
def pair_id(request: pytest.FixtureRequest) -> str:
    """A pair name of its own for each test, so no two tests share MQTT topics."""
    return f"t{next(_pair_numbers)}-{abs(hash(request.node.nodeid)) % 10**8}"


# amqtt (0.12) leaves the server side of a connection unclosed when a client that set a
# will disconnects; the warning is about the broker library's socket, not ours.
_EMBEDDED = pytest.param(
    "embedded",
    marks=[
        pytest.mark.filterwarnings("ignore::ResourceWarning"),
        pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    ],
)


@pytest.fixture(params=["mosquitto", _EMBEDDED])
async def broker(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BrokerAddress]:
    """A real broker: mosquitto in its own process, then the hub's embedded one."""
    async with running_broker(request.param, tmp_path) as address:
        yield address


@pytest.fixture
async def mosquitto(tmp_path: Path) -> AsyncIterator[Mosquitto]:
    """A mosquitto process of the test's own, which the test may kill and start again."""
    broker = Mosquitto(tmp_path)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()


@pytest.fixture
def broker_home() -> Iterator[Path]:
    """A folder like /etc/mosquitto: others may pass through it but not list it. (pytest's
    tmp_path is 0700: mosquitto, started as root and running as its own user, could not
    enter it, which broker-config warns about.)"""
    home = Path(tempfile.mkdtemp(prefix="comfort-hub-broker-"))
    home.chmod(0o711)
    try:
        yield home
    finally:
        shutil.rmtree(home)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Sessions a test (or a hub it starts) records stay in the test's own folder."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("COMFORT_HUB_DATA_DIR", str(data_dir))
    return data_dir


@pytest.fixture(autouse=True)
def _collect_garbage_after_each_test() -> Iterator[None]:
    """Unclosed sockets warn when collected: collect here, so the test that leaked fails."""
    yield
    gc.collect()
