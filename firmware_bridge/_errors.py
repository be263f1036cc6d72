"""Errors of firmware_bridge.

BridgeError
 ├── MalformedPayload      bytes from a device that do not parse; carries the bytes and offset
 ├── DeviceNotFound        no device with that address or profile answered a scan
 ├── HapticsUnsupported    the device has no motor the hub can drive
 ├── DeviceCommandError    the device refused a command (carries its status code)
 └── MtuTooSmall           the link's ATT MTU is below what the device's protocol needs
"""

from __future__ import annotations


class BridgeError(Exception):
    """Root of every error raised by firmware_bridge."""


class MalformedPayload(BridgeError):
    """A notification or line from a device that cannot be decoded.

    Parsers raise only this for bad input; drivers count and log it and carry on, so a
    garbled packet never takes the hub down.
    """

    def __init__(self, what: str, data: bytes, reason: str, offset: int | None = None) -> None:
        self.what = what
        self.data = bytes(data)
        self.reason = reason
        self.offset = offset
        where = f" at byte {offset}" if offset is not None else ""
        super().__init__(f"malformed {what}{where}: {reason} (bytes: {self.data.hex(' ')})")


class DeviceNotFound(BridgeError):
    def __init__(self, address: str, timeout_s: float) -> None:
        self.address = address
        self.timeout_s = timeout_s
        super().__init__(f"no device {address} advertised within {timeout_s:g} s")


class HapticsUnsupported(BridgeError):
    def __init__(self, profile: str) -> None:
        self.profile = profile
        super().__init__(f"{profile} devices have no haptic output the hub can drive")


class DeviceCommandError(BridgeError):
    def __init__(self, what: str, status: int, meaning: str) -> None:
        self.what = what
        self.status = status
        self.meaning = meaning
        super().__init__(f"{what} refused by the device: status {status} ({meaning})")


class MtuTooSmall(BridgeError):
    def __init__(self, device: str, mtu: int, required: int) -> None:
        self.device = device
        self.mtu = mtu
        self.required = required
        super().__init__(
            f"{device} needs an ATT MTU of at least {required}, the link has {mtu} "
            "(the adapter or its driver limits it)"
        )
