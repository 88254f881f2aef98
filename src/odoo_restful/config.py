"""Gateway settings: one frozen object, built from CLI flags or ``ODOO_RESTFUL_*`` variables.

Kept apart from the running server (as uvicorn does) so that every worker process
rebuilds the same settings from the environment.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = "ODOO_RESTFUL_"
#: Settings whose flag and variable keep a shorter public name than the field:
#: ``--db`` / ``ODOO_RESTFUL_DB`` set ``default_db`` (the database of a token request
#: that names none).
PUBLIC_NAMES: dict[str, str] = {"default_db": "db"}


def env_var(field: str) -> str:
    """The ``ODOO_RESTFUL_*`` variable of a settings field."""
    return ENV_PREFIX + PUBLIC_NAMES.get(field, field).upper()


PROTOCOLS = ("auto", "jsonrpc", "json2", "web")
#: Odoo versions the sandbox speaks (its profiles: ``sandbox/profiles.py``).
SANDBOX_VERSIONS = (16, 19)
ODOO_CLIENTS = ("builtin", "aiohttp")


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting with its default; the CLI's ``--help`` and the README document each."""

    odoo_url: str = "http://localhost:8069"
    default_db: str | None = None
    databases: tuple[str, ...] = ()
    protocol: str = "auto"
    web_session_only: bool = False
    sandbox: bool = False
    sandbox_version: int = 19
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    forwarded_allow_ips: tuple[str, ...] = ()
    store: str = "odoo-restful.db"
    # Empty: beside a SQLite store (``<store>.key``); see compose.secret_file_path.
    secret_file: str = ""
    token_ttl: int = 7 * 24 * 3600
    token_cache_ttl: float = 1.0
    default_limit: int = 80
    max_limit: int = 1000
    feed_window: float = 2.0
    webhook_allow_private: bool = False
    webhook_max_per_user: int = 20
    webhook_poll_seconds: float = 10.0
    webhook_max_queue: int = 10_000
    webhook_timeout: float = 5.0
    webhook_retry_first: float = 5.0
    webhook_retry_for: float = 24 * 3600.0
    webhook_lease_seconds: float = 6.0
    max_body_bytes: int = 1024 * 1024
    max_file_bytes: int = 25 * 1024 * 1024
    max_batch: int = 100
    method_deny: tuple[str, ...] = ()
    method_allow: tuple[str, ...] = ()
    write_deny_fields: tuple[str, ...] = ()
    odoo_timeout: float = 60.0
    odoo_client: str = "builtin"
    header_timeout: float = 10.0
    body_timeout: float = 60.0
    keep_alive_timeout: int = 5
    limit_concurrency: int = 1000
    login_limit_per_user: int = 10
    login_limit_per_client: int = 30
    login_window: float = 300.0
    cors_origins: tuple[str, ...] = ()
    ops_allow_ips: tuple[str, ...] = ()
    shutdown_timeout: float = 30.0
    rate_limit: str = ""
    rate_limit_per_user: str = ""
    rate_limit_scopes: tuple[str, ...] = ()
    rate_limit_storage: str = "memory://"
    ready_timeout: float = 2.0
    log_level: str = "info"
    log_format: str = "text"

    def __post_init__(self) -> None:
        if self.log_format not in ("text", "json"):
            raise ValueError("log_format must be text or json")
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}")
        url = urlsplit(self.odoo_url)
        if url.scheme not in ("http", "https") or not url.hostname or url.query or url.fragment:
            raise ValueError("odoo_url must be an http:// or https:// URL with a host")
        if url.username is not None or url.password is not None:
            # It is logged at start; a password in it would end up in the logs.
            raise ValueError("odoo_url must not carry a user name or password")
        try:
            url.port  # noqa: B018 (parsing it is the check)
        except ValueError:
            raise ValueError("odoo_url has an invalid port") from None
        if self.odoo_client not in ODOO_CLIENTS:
            raise ValueError(f"odoo_client must be one of {', '.join(ODOO_CLIENTS)}")
        if self.odoo_timeout <= 0:
            raise ValueError("odoo_timeout must be more than 0 seconds")
        if self.sandbox_version not in SANDBOX_VERSIONS:
            known = ", ".join(str(v) for v in SANDBOX_VERSIONS)
            raise ValueError(f"the sandbox speaks Odoo {known}, not {self.sandbox_version}")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if not 1 <= self.default_limit <= self.max_limit:
            raise ValueError("default_limit must be between 1 and max_limit")
        if not 0 <= self.feed_window <= 3600:
            raise ValueError("feed_window must be between 0 and 3600 seconds")
        if self.webhook_max_per_user < 1:
            raise ValueError("webhook_max_per_user must be at least 1")
        self._check_webhooks()
        if self.token_ttl < 60:
            raise ValueError("token_ttl must be at least 60 seconds")
        if self.max_body_bytes < 1024:
            raise ValueError("max_body_bytes must be at least 1024")
        if self.header_timeout <= 0 or self.body_timeout <= 0 or self.keep_alive_timeout < 1:
            raise ValueError("header, body and keep-alive timeouts must be more than 0 seconds")
        if self.limit_concurrency < 1:
            raise ValueError("limit_concurrency must be at least 1")
        if self.login_limit_per_user < 1 or self.login_limit_per_client < 1:
            raise ValueError("login limits must be at least 1")
        if self.login_window <= 0:
            raise ValueError("login_window must be more than 0 seconds")
        self._check_rate_limits()
        if self.shutdown_timeout <= 0:
            raise ValueError("shutdown_timeout must be more than 0 seconds")
        if self.ready_timeout <= 0:
            raise ValueError("ready_timeout must be more than 0 seconds")
        for net in self.ops_allow_ips:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise ValueError(f"ops_allow_ips: {net!r} is not an address or network") from None
        if self.max_file_bytes < 1024:
            raise ValueError("max_file_bytes must be at least 1024")
        if self.default_db is None and self.sandbox:
            object.__setattr__(self, "default_db", "sandbox")  # the sandbox's one database
        if self.default_db and self.databases and self.default_db not in self.databases:
            raise ValueError("the default database must be in the database allow-list")

    def _check_webhooks(self) -> None:
        if not 0.05 <= self.webhook_poll_seconds <= 3600:
            raise ValueError("webhook_poll_seconds must be between 0.05 and 3600")
        if self.webhook_max_queue < 1:
            raise ValueError("webhook_max_queue must be at least 1")
        if not 0 < self.webhook_timeout <= 300:
            raise ValueError("webhook_timeout must be more than 0 and at most 300 seconds")
        if self.webhook_retry_first <= 0 or self.webhook_retry_for <= 0:
            raise ValueError("webhook_retry_first and webhook_retry_for must be more than 0")
        if not 0.5 <= self.webhook_lease_seconds <= 600:
            raise ValueError("webhook_lease_seconds must be between 0.5 and 600")

    def _check_rate_limits(self) -> None:
        from .throttle import parse_limits, parse_scope_limits  # it imports this module

        for name in ("rate_limit", "rate_limit_per_user"):
            try:
                parse_limits(getattr(self, name))
            except ValueError:
                raise ValueError(
                    f"{name}: {getattr(self, name)!r} is not a rate limit such as "
                    "'100/minute' or '10/second;1000/hour'"
                ) from None
        parse_scope_limits(self.rate_limit_scopes)
        if not self.rate_limit_storage.startswith(("memory://", "redis://", "rediss://")):
            raise ValueError("rate_limit_storage must be memory:// or a redis:// URL")

    def to_env(self) -> dict[str, str]:
        """The ``ODOO_RESTFUL_*`` variables that rebuild these settings in a worker."""
        env: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, tuple):
                value = ",".join(value)
            elif isinstance(value, bool):
                value = "1" if value else "0"
            env[env_var(f.name)] = str(value)
        return env

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``ODOO_RESTFUL_*`` variables; explicit overrides win."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(env_var(f.name))
            if raw is None or raw == "":
                continue
            default = f.default
            if isinstance(default, bool):
                values[f.name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            elif isinstance(default, int):
                values[f.name] = int(raw)
            elif isinstance(default, float):
                values[f.name] = float(raw)
            elif isinstance(default, tuple):
                values[f.name] = _split(raw)
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)
