"""``odoo-restful tokens ...`` and ``odoo-restful secret rotate``: token administration.

Secrets never come from a command-line argument (they would land in shell history
and ``ps``): ``tokens create`` prompts for the password, or reads an API key from a
file or standard input. After creation no command prints a token again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from .cli_options import read_secret, setting_option, settings_from_options
from .compose import is_postgres, open_store, sqlite_path
from .errors import GatewayError, OdooUnavailable
from .scopes import parse_scopes
from .signin import issue_token
from .tokens.crypto import ServerSecrets
from .tokens.service import TokenService
from .tokens.store import TokenRecord, TokenStore

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def _store_option(f: F) -> F:
    return setting_option("store", "Token store: SQLite file path or postgresql:// DSN.")(f)


def _run(
    make: Callable[[TokenStore], Awaitable[T]], store_url: str, *, must_exist: bool = True
) -> T:
    """Run ``make`` on the opened store. A SQLite file that does not exist is refused
    (a mistyped ``--store`` would otherwise show an empty new store), except where a
    command may be the first to use it (``tokens create``)."""
    if must_exist and not is_postgres(store_url):
        path = sqlite_path(store_url)
        if path != ":memory:" and not os.path.exists(path):
            raise click.UsageError(
                f"no token store at {path}: check --store (or ODOO_RESTFUL_STORE)"
            )

    async def go() -> T:
        store = open_store(store_url)
        await store.open()
        try:
            return await make(store)
        finally:
            await store.close()

    try:
        return asyncio.run(go())
    except GatewayError as exc:
        raise click.ClickException(exc.message) from None


@click.group()
def tokens() -> None:
    """Create, list, revoke and purge access tokens."""


@tokens.command()
@click.option("--login", required=True, help="Odoo login of the token's owner.")
@setting_option("default_db", "Odoo database (default 'sandbox' with --sandbox).")
@setting_option(
    "sandbox",
    "Sign in to the built-in sandbox, in-process: the token works with "
    "`odoo-restful serve --sandbox` on the same --store and --secret-file.",
)
@setting_option("odoo_url", "Odoo's base URL.")
@setting_option("protocol", "Odoo wire protocol.")
@setting_option("odoo_client", "HTTP client to Odoo.")
@click.option(
    "--api-key-file",
    type=click.File("r"),
    default=None,
    help="Read an Odoo API key from this file ('-' for standard input) instead "
    "of asking for the password.",
)
@click.option("--read-only", is_flag=True, help="Scope: the token may only read.")
@click.option("--models", default="", help="Scope: comma-separated models the token may use.")
@click.option("--methods", default="", help="Scope: comma-separated methods it may call.")
@setting_option("databases", "Allow-list of databases (as serve uses it).")
@setting_option("web_session_only", "Keep the Odoo web session, never the password.")
@setting_option("secret_file", "Server secret file.")
@setting_option("token_ttl", "Lifetime in seconds (at least 60).")
@_store_option
def create(
    login: str,
    default_db: str | None,
    sandbox: bool,
    odoo_url: str,
    protocol: str,
    odoo_client: str,
    api_key_file: Any,
    read_only: bool,
    models: str,
    methods: str,
    databases: str,
    web_session_only: bool,
    secret_file: str,
    token_ttl: int,
    store: str,
) -> None:
    """Sign in to Odoo as LOGIN and print a new token (shown this once only)."""
    from .compose import load_secrets, make_transport
    from .gateway import Gateway
    from .odoo.router import OdooRouter

    db = default_db or ("sandbox" if sandbox else None)
    if not db:
        raise click.UsageError("--db is required (or --sandbox)")
    secret = read_secret(api_key_file)
    settings = settings_from_options(
        odoo_url=odoo_url,
        sandbox=sandbox,
        protocol=protocol,
        odoo_client=odoo_client,
        databases=databases,
        web_session_only=web_session_only,
        secret_file=secret_file,
        token_ttl=token_ttl,
        store=store,
    )
    scopes = parse_scopes({"read_only": read_only, "models": models, "methods": methods})
    try:
        server_secrets = load_secrets(settings)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None

    async def go(token_store: TokenStore) -> tuple[str, int]:
        odoo = OdooRouter(make_transport(settings), settings.protocol)
        service = TokenService(token_store, server_secrets, ttl=settings.token_ttl)
        gw = Gateway(settings, odoo, service)
        try:
            issued = await issue_token(
                gw, db=db, login=login, secret=secret, scopes=scopes, client="cli"
            )
        except OdooUnavailable as exc:  # say where it looked
            where = "the sandbox" if settings.sandbox else settings.odoo_url
            detail = exc.message.removeprefix("cannot reach Odoo: ")
            raise OdooUnavailable(f"cannot reach Odoo at {where}: {detail}") from None
        finally:
            await odoo.close()
        return issued.token, issued.expires_in

    token, expires_in = _run(go, store, must_exist=False)
    click.echo(token)
    click.echo(f"expires in {expires_in} s; this token is not shown again", err=True)


def _when(ts: float | None) -> str:
    if ts is None:
        return "-"
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M")


def _status(rec: TokenRecord, now: float) -> str:
    return "revoked" if rec.revoked else ("expired" if rec.is_expired(now) else "active")


def _scopes(rec: TokenRecord) -> str:
    parts = ["read-only"] if rec.scopes.read_only else []
    if rec.scopes.models is not None:
        parts.append("models=" + ",".join(rec.scopes.models))
    if rec.scopes.methods is not None:
        parts.append("methods=" + ",".join(rec.scopes.methods))
    return " ".join(parts) or "all"


@tokens.command(name="list")
@click.option("--db", default=None, help="Only this database.")
@click.option("--uid", default=None, type=int, help="Only this Odoo user id.")
@_store_option
def list_(db: str | None, uid: int | None, store: str) -> None:
    """List tokens (never their secret): prefix, user, db, scopes, dates, status."""
    records = _run(lambda s: s.list(db=db, uid=uid), store)
    now = dt.datetime.now(dt.UTC).timestamp()
    header = ("PREFIX", "LOGIN", "UID", "DB", "SCOPES", "CREATED", "EXPIRES", "LAST USED", "STATUS")
    rows = [header] + [
        (
            r.prefix,
            r.login,
            str(r.uid),
            r.db,
            _scopes(r),
            _when(r.created_at),
            _when(r.expires_at),
            _when(r.last_used_at),
            _status(r, now),
        )
        for r in records
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@tokens.command()
@click.argument("prefix")
@_store_option
def revoke(prefix: str, store: str) -> None:
    """Revoke the token(s) whose listed PREFIX matches exactly."""
    count = _run(lambda s: s.revoke_prefix(prefix), store)
    click.echo(f"revoked {count} token(s)")
    if not count:
        sys.exit(1)


@tokens.command(name="purge-expired")
@_store_option
def purge_expired(store: str) -> None:
    """Delete expired tokens from the store."""
    now = dt.datetime.now(dt.UTC).timestamp()
    click.echo(f"purged {_run(lambda s: s.purge_expired(now), store)} expired token(s)")


@click.group()
def secret() -> None:
    """Server secret management."""


@secret.command()
@setting_option("secret_file", "Server secret file (default: beside a SQLite --store).")
@_store_option
def rotate(secret_file: str, store: str) -> None:
    """Add a new current server secret; tokens issued under older ones keep working.

    Restart the gateway to use it. Remove an old line from the file to retire that
    secret (its tokens then stop working).
    """
    from .compose import secret_file_path

    try:
        path = secret_file_path(settings_from_options(secret_file=secret_file, store=store))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if path is None:
        raise click.UsageError("an in-memory store has no secret file: give --secret-file")
    secrets = ServerSecrets.generate(path)
    click.echo(f"new current secret {secrets.current_key_id}; {len(secrets)} secret(s) in {path}")
