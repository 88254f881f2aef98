"""The composition root: which implementation serves each interface.

Interfaces (``odoo.transport.Transport``, ``tokens.store.TokenStore``) never import
their implementations; the app, the CLI and the benchmarks build them here.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from .config import Settings
from .odoo.transport import InProcessTransport, Transport
from .tokens.crypto import ENV_SECRET, ServerSecrets
from .tokens.store import TokenStore


def make_transport(settings: Settings) -> Transport:
    """The sandbox in process, or an HTTP client to ``--odoo-url``."""
    if settings.sandbox:
        from .sandbox import Sandbox

        return InProcessTransport(Sandbox(odoo_version=settings.sandbox_version))
    return http_transport(
        settings.odoo_url, client=settings.odoo_client, timeout=settings.odoo_timeout
    )


def http_transport(base_url: str, *, client: str = "builtin", timeout: float = 60.0) -> Transport:
    """The HTTP client to a real Odoo: the gateway's own (``http11``) unless asked for aiohttp."""
    if client == "aiohttp":
        from .odoo.aiohttp_transport import AiohttpTransport

        return AiohttpTransport(base_url, timeout=timeout)
    from .odoo.http11 import Http11Transport

    return Http11Transport(base_url, timeout=timeout)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def sqlite_path(url: str) -> str:
    """``sqlite:///rel.db``, ``sqlite:////abs.db`` (SQLAlchemy style) or a plain path."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    if url.startswith("sqlite://"):
        rest = url[len("sqlite://") :]
        return rest or ":memory:"
    if "://" in url:
        raise ValueError(f"Unsupported token store URL scheme: {url.split('://', 1)[0]}")
    return url


def open_store(url_or_path: str, **options: Any) -> TokenStore:
    """Build (not yet open) the store for a URL or path; ``await store.open()`` next.

    ``options`` go to the back end's constructor (e.g. ``touch_interval``).
    """
    if is_postgres(url_or_path):
        from .tokens.postgres import PostgresStore  # asyncpg is an optional dependency

        return PostgresStore(url_or_path, **options)
    from .tokens.sqlite import SqliteStore

    return SqliteStore(sqlite_path(url_or_path), **options)


async def upgrade_store(url_or_path: str) -> list[str]:
    """Apply pending migrations (``odoo-restful db upgrade``); returns the names applied."""
    if is_postgres(url_or_path):
        from .tokens.postgres import upgrade_postgres

        return await upgrade_postgres(url_or_path)
    from .tokens.sqlite import upgrade_sqlite

    return await upgrade_sqlite(sqlite_path(url_or_path))


def secret_file_path(settings: Settings) -> str | None:
    """The server secret file: ``--secret-file``, else ``<store>.key`` beside a SQLite store.

    Beside the store, not in the working directory: a gateway restarted from another
    directory with the same ``--store`` must find the same secret, or every token
    answers 401. None for an in-memory store (its tokens die with the process anyway).
    A PostgreSQL store has no "beside": it needs ``ODOO_RESTFUL_SECRET`` (replicas on
    several machines must share it) or an explicit ``--secret-file``.
    """
    if settings.secret_file:
        return settings.secret_file
    if is_postgres(settings.store):
        raise ValueError(
            f"a PostgreSQL token store needs {ENV_SECRET} or an explicit --secret-file "
            "(every replica must use the same server secret)"
        )
    path = sqlite_path(settings.store)
    return None if path == ":memory:" else path + ".key"


def load_secrets(settings: Settings) -> ServerSecrets:
    """``ODOO_RESTFUL_SECRET`` when set (several replicas), else the key file (made if absent)."""
    if os.environ.get(ENV_SECRET, "").strip():
        return ServerSecrets.from_env()
    path = secret_file_path(settings)
    if path is None:
        return ServerSecrets([secrets.token_bytes(32)])
    return ServerSecrets.from_file(path)
