#!/usr/bin/env bash
# The tests need two programs from the system: the mosquitto MQTT broker (the relay tests start
# their own) and Chromium (the page tests drive it headless through Playwright). Install what is
# missing with apt-get when run as root; otherwise say how.
set -euo pipefail
missing=()
if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
    missing+=(mosquitto)
fi
if ! command -v chromium >/dev/null 2>&1; then
    missing+=(chromium)
fi
# The broker TLS test makes its certificates with openssl.
if ! command -v openssl >/dev/null 2>&1; then
    missing+=(openssl)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} (Debian packages) for the tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    exit 0
fi
cat >&2 <<MSG
The tests need ${missing[*]}, and it is not installed.
Install it, then run the tests again:
    sudo apt-get install ${missing[*]}        # Debian, Ubuntu, Raspberry Pi OS
MSG
exit 1
