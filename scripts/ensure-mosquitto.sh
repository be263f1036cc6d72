#!/usr/bin/env bash
# The relay tests start their own mosquitto broker; make sure the binary is there.
set -euo pipefail
if command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing mosquitto (Debian package) for the relay tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null
    exit 0
fi
cat >&2 <<'MSG'
The tests need the mosquitto MQTT broker binary, and it is not installed.
Install it, then run the tests again:
    sudo apt-get install mosquitto        # Debian, Ubuntu, Raspberry Pi OS
    brew install mosquitto                # macOS
MSG
exit 1
