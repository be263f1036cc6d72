"""Bangle.js 2 (Espruino): the driver, its wire protocol, and the watch-side app."""

from firmware_bridge.bangle._driver import BangleDriver
from firmware_bridge.bangle._protocol import (
    NUS_RX,
    NUS_SERVICE,
    NUS_TX,
    LineAssembler,
    WatchButton,
    WatchHeart,
    WatchTap,
    buzz_command,
    parse_watch_line,
    split_for_link,
)

__all__ = [
    "NUS_RX",
    "NUS_SERVICE",
    "NUS_TX",
    "BangleDriver",
    "LineAssembler",
    "WatchButton",
    "WatchHeart",
    "WatchTap",
    "buzz_command",
    "parse_watch_line",
    "split_for_link",
]
