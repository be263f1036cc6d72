"""``comfort-hub broker-config --out DIR --hub NAME:PAIR:WEARER[,WEARER] ...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hub.commands._help import add_command


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = add_command(
        subparsers,
        "broker-config",
        help="write a locked-down mosquitto configuration for the pairs' hubs",
        description=(
            "Writes mosquitto.conf, comfort-hub.acl and passwd into DIR: no anonymous access, "
            "one user per hub, each hub may read its pair's topics and write only its own "
            "wearers' and its own status; each account's name is its client id. A hub's "
            "password comes from COMFORT_HUB_BROKER_PASSWORD_<NAME>, or is made and printed "
            "once. The plain "
            "listener is on 127.0.0.1 unless --listen names another address. Run as root, it "
            "gives DIR to the user mosquitto runs as (--broker-user, default mosquitto). "
            "Start with: mosquitto -c DIR/mosquitto.conf"
        ),
        examples=[
            "comfort-hub broker-config --out ./b --hub alexhub:room:alex --hub samhub:room:sam",
            "mosquitto -c ./b/mosquitto.conf",
            "comfort-hub broker-config --out /etc/mosquitto/comfort-hub --hub roomhub:room:alex,sam"
            "  # as root: owned by mosquitto",
        ],
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument(
        "--hub",
        action="append",
        required=True,
        metavar="NAME:PAIR:WEARER[,WEARER]",
        help="one hub: its user name, its pair, the wearers it serves (repeat per hub)",
    )
    parser.add_argument("--port", type=int, default=1883, help="the plain listener's port")
    parser.add_argument(
        "--listen",
        "--bind",
        default=None,
        metavar="ADDRESS",
        help="the plain listener's address (default: 127.0.0.1, this machine only; "
        "any other address sends passwords over the network in clear)",
    )
    parser.add_argument("--tls-port", type=int, default=8883)
    parser.add_argument(
        "--tls-listen",
        metavar="ADDRESS",
        help="the TLS listener's address (default: every interface)",
    )
    parser.add_argument(
        "--broker-user",
        metavar="USER",
        help="the user mosquitto runs as, who is given DIR (default, as root: mosquitto; "
        "otherwise: you)",
    )
    parser.add_argument("--tls-cert", type=Path, help="the broker's certificate (enables TLS)")
    parser.add_argument("--tls-key", type=Path, help="the broker's private key")
    parser.add_argument("--tls-ca", type=Path, help="the CA that signed the certificates")
    parser.add_argument(
        "--require-certificate",
        action="store_true",
        help="hubs must also present a client certificate signed by the CA",
    )
    parser.add_argument(
        "--home-assistant",
        nargs="?",
        const="homeassistant",
        metavar="PREFIX",
        help="also let each hub publish its Home Assistant discovery, link and heart-rate "
        "topics and read PREFIX/status, and add a 'homeassistant' account that reads them "
        "(default prefix: homeassistant)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from hub._broker_access import BrokerUserError, broker_user
    from hub._broker_config import (
        LOOPBACK,
        BrokerConfigError,
        HubAccount,
        Tls,
        write_broker_config,
    )

    try:
        accounts = [HubAccount.parse(text) for text in args.hub]
        tls = None
        if args.tls_cert or args.tls_key or args.tls_ca:
            if not (args.tls_cert and args.tls_key and args.tls_ca):
                raise BrokerConfigError("TLS needs --tls-cert, --tls-key and --tls-ca together")
            tls = Tls(
                args.tls_port,
                args.tls_cert,
                args.tls_key,
                args.tls_ca,
                args.require_certificate,
                args.tls_listen,
            )
        written = write_broker_config(
            args.out,
            accounts,
            user=broker_user(args.broker_user),
            port=args.port,
            listen=args.listen or LOOPBACK,
            tls=tls,
            home_assistant=args.home_assistant,
        )
    except (BrokerConfigError, BrokerUserError, OSError) as error:
        print(f"comfort-hub broker-config: {error}", file=sys.stderr)
        return 2
    print(f"wrote {written.config}, comfort-hub.acl and passwd (0600, owned by {written.user})")
    for warning in written.warnings:
        print(f"comfort-hub broker-config: warning: {warning}", file=sys.stderr)
    for name, password in written.passwords.items():
        print(
            f"password for hub {name} (shown once; set COMFORT_HUB_BROKER_PASSWORD on it): "
            f"{password}"
        )
    print(f"start it with: mosquitto -c {written.config}")
    return 0
