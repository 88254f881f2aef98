"""The ``odoo-restful`` command: ``serve`` (the default), ``sandbox``, ``db upgrade``,
``openapi``, and the ``tokens`` and ``secret`` groups (``cli_tokens``).

Every ``serve`` flag is also read from ``ODOO_RESTFUL_<FLAG>``; the flag wins.
"""

from __future__ import annotations

import asyncio
import logging
import logging.config
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from . import __version__, listeners
from .cli_options import (
    DEFAULTS,
    read_secret,
    redact_dsn,
    setting_option,
    settings_from_options,
)
from .cli_tokens import secret, tokens
from .cli_webhooks import webhooks
from .config import Settings
from .logs import log_config

F = TypeVar("F", bound=Callable[..., Any])


class DefaultServeGroup(click.Group):
    """Like Datasette: ``odoo-restful --sandbox`` means ``odoo-restful serve --sandbox``.

    Command summaries are whole first sentences, never cut to click's 45 characters.
    """

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            summary = command.get_short_help_str(limit=200)
            if name == "serve":
                summary = summary.rstrip(".") + " (the default command)."
            rows.append((name, summary))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (
            args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")
        ):
            args = ["serve", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultServeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="odoo-restful")
def main() -> None:
    """A REST gateway in front of any Odoo server (JSON-2, JSON-RPC or web sessions).

    Without a command, or with only options, it runs `serve`: `odoo-restful
    --sandbox` is `odoo-restful serve --sandbox`.
    """


@main.command()
@setting_option(
    "sandbox",
    "Serve over the built-in in-memory Odoo stand-in (database 'sandbox', users "
    "admin/admin and nosales/nosales); no Odoo needed.",
)
@setting_option(
    "sandbox_version",
    "With --sandbox: the Odoo version the sandbox speaks (16 or 19).",
    aliases=("--odoo-version",),
)
@setting_option("odoo_url", "Base URL of the Odoo server.")
@setting_option("default_db", "Default Odoo database when a token request names none.")
@setting_option(
    "databases",
    "Comma-separated allow-list of databases; others are refused before Odoo is called.",
)
@setting_option(
    "protocol",
    "Odoo wire protocol: auto picks, on Odoo 19+, JSON-2 for API keys and the web-client "
    "session for passwords; on older servers JSON-RPC, else the web-client session.",
)
@setting_option(
    "web_session_only",
    "Over web sessions, keep only the Odoo session, never the password: the token ends "
    "when the Odoo session does. With --protocol auto, passwords then go over the web "
    "session on every Odoo version.",
)
@setting_option("host", "Address to listen on.")
@setting_option("port", "Port to listen on.")
@setting_option(
    "workers", "Worker processes (forced to 1 with --sandbox: its data lives in one process)."
)
@setting_option(
    "forwarded_allow_ips",
    "Comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto are trusted "
    "(client addresses for logs and login limits); none by default.",
)
@setting_option(
    "store", "Token store: a SQLite file path, or a postgresql:// DSN for several replicas."
)
@setting_option(
    "secret_file",
    "File holding the server secret (made with mode 0600 if absent). Default: <store>.key "
    "beside a SQLite store, so a restart from another directory keeps every token; a "
    "PostgreSQL store needs this flag or ODOO_RESTFUL_SECRET. ODOO_RESTFUL_SECRET, when "
    "set, is used instead.",
)
@setting_option("token_ttl", "Lifetime of new access tokens, in seconds (at least 60).")
@setting_option(
    "token_cache_ttl",
    "Seconds a token check is cached in each process. Revocations reach other processes on "
    "one SQLite file within this time; PostgreSQL stores notify at once.",
)
@setting_option("default_limit", "Page size when a search names no limit (Odoo's web client: 80).")
@setting_option("max_limit", "Largest page size a client may ask for.")
@setting_option(
    "feed_window",
    "Seconds the change feed reads back once a reader has caught up, for writes committed "
    "late or stamped by a skewed clock (at-least-once; see README, Change feed).",
)
@setting_option(
    "webhook_allow_private",
    "Let webhook receivers be on loopback, private or link-local addresses (refused by "
    "default: SSRF).",
)
@setting_option("webhook_max_per_user", "Most webhook subscriptions one Odoo user may hold.")
@setting_option(
    "webhook_poll_seconds",
    "Seconds between two reads of Odoo's changes for webhooks (one query per user and model).",
)
@setting_option(
    "webhook_max_queue",
    "Most pending deliveries per webhook subscription; then its changes are not read until "
    "the queue drains (nothing is lost).",
)
@setting_option("webhook_timeout", "Seconds a webhook receiver has to answer one delivery.")
@setting_option(
    "webhook_retry_first",
    "Seconds before the first retry of a failed webhook delivery; later retries wait longer "
    "(x6, x24, x120, then x720 each, with jitter).",
)
@setting_option(
    "webhook_retry_for",
    "Seconds a webhook delivery is retried after its first attempt before it is failed.",
)
@setting_option(
    "webhook_lease_seconds",
    "Lease of the one process (worker or replica) that watches and delivers webhooks; "
    "another takes over within this time when it dies.",
)
@setting_option("max_body_bytes", "Largest request body accepted, in bytes.")
@setting_option(
    "max_file_bytes",
    "Largest file upload (PUT of a binary field, attachment upload), in bytes.",
)
@setting_option("max_batch", "Most records one POST may create.")
@setting_option("method_deny", "Comma-separated methods refused on top of the built-in deny-list.")
@setting_option(
    "method_allow", "Comma-separated allow-list of callable methods (empty: any public method)."
)
@setting_option(
    "write_deny_fields",
    "Comma-separated fields clients may never write: 'field' on any model or 'model.field' "
    "(mass-assignment guard), e.g. res.users.groups_id.",
)
@setting_option("odoo_timeout", "Seconds to wait for Odoo before answering 504.")
@setting_option(
    "odoo_client",
    "HTTP client to Odoo: the gateway's own HTTP/1.1 client, or aiohttp.",
)
@setting_option(
    "header_timeout",
    "Seconds a client may take to send a request's headers (idle connections included); "
    "then 408 and the connection closes.",
)
@setting_option(
    "body_timeout", "Seconds a client may take to send a request body; then the connection closes."
)
@setting_option("keep_alive_timeout", "Seconds an idle kept-alive connection stays open.")
@setting_option(
    "limit_concurrency",
    "Most connections and requests served at once per worker; beyond it new requests get 503.",
)
@setting_option(
    "login_limit_per_user",
    "Failed logins allowed per login within --login-window (shared by every worker and "
    "replica on the token store); then 429.",
)
@setting_option(
    "login_limit_per_client",
    "Failed logins allowed per client address within --login-window; then 429.",
)
@setting_option("login_window", "Seconds a failed login counts against the limits.")
@setting_option("cors_origins", "Comma-separated origins allowed by CORS (closed when empty).")
@setting_option(
    "ops_allow_ips",
    "Comma-separated addresses or networks (CIDR) that may read /metrics and /readyz; "
    "others get 404. Empty: anyone.",
)
@setting_option(
    "rate_limit",
    "Requests allowed per token, e.g. '100/minute' or '10/second;1000/hour' (empty: none); "
    "then 429 with Retry-After and RateLimit headers.",
)
@setting_option(
    "rate_limit_per_user", "Requests allowed per Odoo user (all their tokens together)."
)
@setting_option(
    "rate_limit_scopes",
    "Per-token limits by scope, overriding --rate-limit: 'read_only=600/minute' for "
    "read-only tokens, 'scoped=100/minute' for tokens narrowed to models or methods.",
)
@setting_option(
    "rate_limit_storage",
    "Where rate-limit counters live: memory:// (each worker alone) or redis://host:port/0 "
    "(shared by every worker and replica).",
)
@setting_option(
    "shutdown_timeout",
    "On SIGTERM: stop accepting, then give requests in flight this many seconds to finish "
    "before closing the token store and the connections to Odoo.",
)
@setting_option(
    "ready_timeout", "Seconds /readyz waits for Odoo and for the token store before a 503."
)
@setting_option("log_level", "Log level.")
@setting_option(
    "log_format", "Log lines (the gateway's and uvicorn's alike): text, or one JSON object each."
)
def serve(**options: Any) -> None:
    """Serve the REST API."""
    if options["sandbox"] and options["workers"] != 1:
        click.echo("--sandbox keeps its data in one process: using 1 worker", err=True)
        options["workers"] = 1
    _run(settings_from_options(**options))


def _run(settings: Settings) -> None:
    import uvicorn

    config = log_config(settings.log_level, settings.log_format)
    logging.config.dictConfig(config)
    log = logging.getLogger("odoo_restful")
    upstream = "the built-in sandbox (in memory)" if settings.sandbox else settings.odoo_url
    log.info("odoo-restful %s listening on http://%s:%d", __version__, settings.host, settings.port)
    log.info(
        "Odoo: %s, protocol %s, default database %s",
        upstream,
        settings.protocol,
        settings.default_db or "(none)",
    )
    log.info("token store: %s; %d worker(s)", redact_dsn(settings.store), settings.workers)
    os.environ.update(settings.to_env())
    from .compose import load_secrets, secret_file_path

    # Made here, once: workers starting together would each write a key of their own.
    try:
        load_secrets(settings)
        where = (
            "environment" if os.environ.get("ODOO_RESTFUL_SECRET") else secret_file_path(settings)
        )
    except (ValueError, OSError) as exc:
        raise click.UsageError(f"server secret: {exc}") from None
    log.info("server secret: %s", where or "generated for this process (in-memory store)")
    options: dict[str, Any] = {
        "factory": True,
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "log_level": settings.log_level,
        "log_config": config,  # one format for uvicorn's lines and ours, in every worker
        "access_log": False,  # ours leaves query strings (tokens, passwords) out
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": ",".join(settings.forwarded_allow_ips) or None,
        "server_header": False,
        # Bounds on slow clients: headers and body (our protocol), idle and concurrency.
        "http": "odoo_restful.connections:TimedHttpProtocol",
        "timeout_keep_alive": settings.keep_alive_timeout,
        "limit_concurrency": settings.limit_concurrency,
        # SIGTERM: stop accepting, let requests in flight finish, then the lifespan closes.
        "timeout_graceful_shutdown": settings.shutdown_timeout,
    }
    if settings.workers > 1:
        _share_metrics(log)
    app = "odoo_restful.app:create_app_from_env"
    if settings.workers == 1 or not listeners.supported():
        uvicorn.run(app, **options)
        return
    # Several workers: a listening socket each, as uvicorn.run would run them otherwise.
    from uvicorn.supervisors import Multiprocess

    try:
        sock = listeners.reserve(settings.host, settings.port)
    except OSError as exc:
        log.error("cannot listen on %s:%d: %s", settings.host, settings.port, exc.strerror)
        sys.exit(3)  # uvicorn's exit status for a failed start
    log.info("one listening socket per worker (SO_REUSEPORT)")
    try:
        Multiprocess(uvicorn.Config(app, **options), sockets=[sock]).run()
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()


def _share_metrics(log: logging.Logger) -> None:
    """Workers write their metrics to files in one directory (prometheus-client's
    multiprocess mode), emptied here before any worker starts so that samples of a
    previous run never count. Set before the workers import prometheus-client."""
    import tempfile
    from pathlib import Path

    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
        prefix="odoo-restful-metrics-"
    )
    Path(folder).mkdir(parents=True, exist_ok=True)
    for item in Path(folder).glob("*.db"):
        item.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    log.info("metrics of the workers shared in %s", folder)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8069, show_default=True, type=int, help="Port.")
@setting_option(
    "sandbox_version",
    "The Odoo version the sandbox speaks (16 or 19).",
    aliases=("--odoo-version",),
)
def sandbox(host: str, port: int, sandbox_version: int) -> None:
    """Serve the in-memory Odoo stand-in over HTTP (JSON-RPC), as a fake Odoo server."""
    import uvicorn

    from .sandbox import Sandbox

    settings_from_options(sandbox_version=sandbox_version)  # a usage error if unknown
    uvicorn.run(Sandbox(odoo_version=sandbox_version).asgi, host=host, port=port, log_level="info")


@main.group()
def db() -> None:
    """Token store maintenance."""


@db.command()
@setting_option("store", "Token store: a SQLite file path or a postgresql:// DSN.")
def upgrade(store: str) -> None:
    """Apply pending schema migrations to the token store."""
    from .compose import upgrade_store as run_upgrade

    applied = asyncio.run(run_upgrade(store))
    click.echo("applied: " + ", ".join(applied) if applied else "schema is up to date")


@main.command(name="openapi")
@click.option(
    "--model",
    "models",
    multiple=True,
    help="A model to describe (repeat the option; default: res.partner, sale.order and "
    "other common models). Models the user cannot read are left out.",
)
@click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write the document to ('-' for standard output).",
)
@click.option(
    "--sandbox",
    is_flag=True,
    default=False,
    help="Describe the built-in sandbox, in-process (database 'sandbox'; user admin/admin "
    "unless --login is given).",
)
@setting_option("odoo_url", "Odoo's base URL.")
@setting_option("default_db", "Odoo database.")
@click.option("--login", default=None, help="Odoo login whose rights decide what is described.")
@click.option(
    "--api-key-file",
    type=click.File("r"),
    default=None,
    help="Read an Odoo API key from this file ('-' for standard input) instead of "
    "asking for the password.",
)
@setting_option("protocol", "Odoo wire protocol.")
@setting_option("odoo_client", "HTTP client to Odoo.")
@click.option(
    "--server-url",
    default=None,
    help="The gateway's public base URL, written into the document (default '/').",
)
@setting_option("max_limit", "Largest page size, as the gateway's.")
@setting_option("max_batch", "Most records per create, as the gateway's.")
def openapi_command(
    models: tuple[str, ...],
    output: str,
    sandbox: bool,
    odoo_url: str,
    default_db: str | None,
    login: str | None,
    api_key_file: Any,
    protocol: str,
    odoo_client: str,
    server_url: str | None,
    max_limit: int,
    max_batch: int,
) -> None:
    """Write the OpenAPI 3.1 document of the API (for client generators) to a file."""
    from .compose import make_transport
    from .errors import GatewayError
    from .odoo.router import OdooRouter
    from .openapi import DocumentOptions, generate, parse_models

    try:
        wanted = parse_models(",".join(models))
    except GatewayError as exc:
        raise click.BadParameter(exc.message, param_hint="--model") from None
    transport = make_transport(
        Settings(odoo_url=odoo_url, sandbox=sandbox, odoo_client=odoo_client)
    )
    db = default_db or ("sandbox" if sandbox else None)
    if not db:
        raise click.UsageError("--db is required (or --sandbox)")
    if api_key_file is None and sandbox and login is None:
        secret = "admin"  # noqa: S105 (the sandbox's demo user, as in the README)
    else:
        if login is None:
            raise click.UsageError("--login is required (or --sandbox)")
        secret = read_secret(api_key_file)
    login = login or "admin"
    options = DocumentOptions(
        max_limit=max_limit,
        max_batch=max_batch,
        default_limit=min(DEFAULTS.default_limit, max_limit),
    )

    async def go() -> tuple[dict[str, Any], list[str]]:
        odoo = OdooRouter(transport, protocol)
        try:
            return await generate(
                odoo,
                db=str(db),
                login=str(login),
                secret=secret,
                models=wanted,
                server_url=server_url,
                options=options,
            )
        finally:
            await odoo.close()

    try:
        document, missing = asyncio.run(go())
    except GatewayError as exc:
        raise click.ClickException(exc.message) from None
    import orjson

    text = orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
    with click.open_file(output, "w", encoding="utf-8") as out:
        out.write(text)
    described = [t["name"] for t in document["tags"] if t["name"] not in ("auth", "meta")]
    click.echo(f"described: {', '.join(described) or '(no model)'}", err=True)
    if missing:
        click.echo(f"left out (unknown or not readable): {', '.join(missing)}", err=True)


main.add_command(tokens)
main.add_command(secret)
main.add_command(webhooks)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
