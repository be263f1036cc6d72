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
            "wearers' and its own status. A hub's password comes from "
            "COMFORT_HUB_BROKER_PASSWORD_<NAME>, or is made and printed once. "
            "Start with: mosquitto -c DIR/mosquitto.conf"
        ),
        examples=[
            "comfort-hub broker-config --out ./b --hub alexhub:room:alex --hub samhub:room:sam",
            "mosquitto -c ./broker/mosquitto.conf",
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
    parser.add_argument("--bind", help="the address to listen on (default: all)")
    parser.add_argument("--tls-port", type=int, default=8883)
    parser.add_argument("--tls-cert", type=Path, help="the broker's certificate (enables TLS)")
    parser.add_argument("--tls-key", type=Path, help="the broker's private key")
    parser.add_argument("--tls-ca", type=Path, help="the CA that signed the certificates")
    parser.add_argument(
        "--require-certificate",
        action="store_true",
        help="hubs must also present a client certificate signed by the CA",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from hub._broker_config import BrokerConfigError, HubAccount, Tls, write_broker_config

    try:
        accounts = [HubAccount.parse(text) for text in args.hub]
        tls = None
        if args.tls_cert or args.tls_key or args.tls_ca:
            if not (args.tls_cert and args.tls_key and args.tls_ca):
                raise BrokerConfigError("TLS needs --tls-cert, --tls-key and --tls-ca together")
            tls = Tls(
                args.tls_port, args.tls_cert, args.tls_key, args.tls_ca, args.require_certificate
            )
        made = write_broker_config(args.out, accounts, port=args.port, bind=args.bind, tls=tls)
    except (BrokerConfigError, OSError) as error:
        print(f"comfort-hub broker-config: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.out / 'mosquitto.conf'}, comfort-hub.acl and passwd (0600)")
    for name, password in made.items():
        print(
            f"password for hub {name} (shown once; set COMFORT_HUB_BROKER_PASSWORD on it): "
            f"{password}"
        )
    return 0
