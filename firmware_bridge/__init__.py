"""Bluetooth LE wearable drivers: bytes on the air to typed samples, alert patterns to writes."""
