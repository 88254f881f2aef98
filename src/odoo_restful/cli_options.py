"""Click options made from ``Settings`` fields: one flag, one variable, one default each.

Every command that takes a setting (``serve``, ``tokens create``, ``db upgrade``,
``openapi``) builds its option here, so a flag is spelled, defaulted and read from
``ODOO_RESTFUL_<NAME>`` the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import click

from .config import ODOO_CLIENTS, PROTOCOLS, PUBLIC_NAMES, Settings, env_var

F = TypeVar("F", bound=Callable[..., Any])
DEFAULTS = Settings()
_CHOICES: dict[str, click.Choice[str]] = {
    "protocol": click.Choice(PROTOCOLS),
    "odoo_client": click.Choice(ODOO_CLIENTS),
    "log_level": click.Choice(["debug", "info", "warning", "error"]),
    "log_format": click.Choice(["text", "json"]),
}
LIST_SETTINGS = frozenset(
    f.name for f in fields(Settings) if isinstance(getattr(DEFAULTS, f.name), tuple)
)


def env_name(name: str) -> str:
    return env_var(name)


def setting_option(
    name: str, help: str, *, aliases: tuple[str, ...] = (), **overrides: Any
) -> Callable[[F], F]:
    """``--name-with-dashes`` (and any ``aliases``) for ``Settings.name``, also read from
    ``ODOO_RESTFUL_NAME``.

    List settings take comma-separated text; :func:`settings_from_options` splits it.
    """
    default = getattr(DEFAULTS, name)
    kw: dict[str, Any] = {"envvar": env_name(name), "show_envvar": True, "help": help}
    if isinstance(default, bool):
        kw.update(is_flag=True, default=default)
    elif isinstance(default, tuple):
        kw.update(default=",".join(default))
    elif default is None:
        kw.update(default=None)
    else:
        kw.update(default=default, show_default=True, type=_CHOICES.get(name, type(default)))
    kw.update(overrides)
    flag = "--" + PUBLIC_NAMES.get(name, name).replace("_", "-")
    option: Callable[[F], F] = click.option(flag, *aliases, name, **kw)
    return option


def settings_from_options(**options: Any) -> Settings:
    """Settings from parsed options; a bad combination is a usage error, not a traceback."""
    for name in LIST_SETTINGS & options.keys():
        value = options[name]
        if isinstance(value, str):
            options[name] = tuple(p.strip() for p in value.split(",") if p.strip())
    try:
        return Settings(**options)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def read_secret(api_key_file: Any) -> str:
    """The one way the CLI gets an Odoo secret: an API key file (``-`` for standard
    input) or a hidden prompt; never a command-line argument (shell history, ``ps``)."""
    if api_key_file is not None:
        secret = str(api_key_file.read()).strip()
    else:
        secret = str(click.prompt("Odoo password", hide_input=True, err=True))
    if not secret:
        raise click.ClickException("no password or API key given")
    return secret


def redact_dsn(url: str) -> str:
    """A store URL fit for a log line: any user name and password taken out."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
