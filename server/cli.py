"""The `corridor` command line (placeholder: serve only)."""

from __future__ import annotations

import argparse

from .config import Config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="corridor")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    config = Config.from_env(host=args.host, port=args.port)
    from waitress import serve as waitress_serve

    from .app import create_app

    waitress_serve(create_app(config), host=config.host, port=config.port)
    return 0
