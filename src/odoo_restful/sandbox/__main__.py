"""Serve a fresh sandbox over HTTP: ``python -m odoo_restful.sandbox --port 8069``."""

from __future__ import annotations

import argparse

import uvicorn

from .app import Sandbox


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m odoo_restful.sandbox",
        description="Serve an in-memory stand-in for an Odoo 19 (or 16) server's RPC endpoints.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8069, help="port to listen on (default 8069)")
    parser.add_argument("--db-name", default="sandbox", help="database name (default sandbox)")
    parser.add_argument(
        "--odoo-version", type=int, default=19, choices=(16, 19), help="Odoo version (default 19)"
    )
    parser.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    args = parser.parse_args(argv)
    sandbox = Sandbox(db_name=args.db_name, odoo_version=args.odoo_version)
    uvicorn.run(sandbox.asgi, host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
