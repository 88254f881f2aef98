"""Shared fixtures: a gateway on loopback in front of the sandbox or, when the live
variables are set, in front of a real Odoo."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.config import Settings
from odoo_restful.sandbox import Sandbox

from .pg import fresh_database, pg_dsn  # noqa: F401 (pg_dsn: a fixture, for store)
from .sandbox_fixtures import sandbox, sb_admin, sb_demo, sb_nosales, sb_portal  # noqa: F401
from .servers import serve_in_thread

LIVE_VARS = ("ODOO_URL", "ODOO_DB", "ODOO_LOGIN", "ODOO_PASSWORD")
LIVE_SKIP = (
    "live Odoo run skipped: set ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_PASSWORD "
    "(optionally ODOO_SALES_LOGIN/ODOO_SALES_PASSWORD for an ordinary salesperson and "
    "ODOO_LIMITED_LOGIN/ODOO_LIMITED_PASSWORD for a user without Sales rights, with "
    "*_API_KEY variables for JSON-2) to run this end-to-end suite against a real Odoo"
)


@dataclass
class Target:
    """A running gateway and the Odoo users to exercise it with."""

    name: str
    url: str
    db: str
    login: str
    password: str
    limited_login: str | None
    limited_password: str | None
    odoo_url: str = ""
    #: role -> (login, password or API key): "admin", "sales" (an ordinary salesperson
    #: with own-documents rights) and "nosales" (an internal user without Sales rights)
    users: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: The Odoo major version behind the gateway (the sandbox's profile; 19 when live).
    odoo_version: int = 19

    @property
    def live(self) -> bool:
        return self.name.startswith("live-")

    def token(self, login: str | None = None, password: str | None = None) -> str:
        resp = requests.post(
            self.url + "/api/auth/token",
            json={
                "login": login or self.login,
                "password": password or self.password,
                "db": self.db,
            },
            timeout=30,
        )
        assert resp.status_code == 200, resp.text
        token: str = resp.json()["access_token"]
        return token

    def session(self, token: str | None = None) -> requests.Session:
        s = requests.Session()
        s.headers["access-token"] = token or self.token()
        return s


def gateway_settings(tmp: Path, **overrides: Any) -> Settings:
    if "db" in overrides:  # the tests say db=, as the --db flag does
        overrides["default_db"] = overrides.pop("db")
    overrides.setdefault("store", str(tmp / "tokens.db"))
    return Settings(secret_file=str(tmp / "secret.key"), **overrides)


SANDBOX_KEYS = {
    "admin": "70b6df629fce8d93489d66aa448a7cc136165301",
    "demo": "3a11fb9eda906828d979e6f5a5c70b8a6d4dc0ef",
    "nosales": "cc45fd2c663fae4214a2cf7c65d2e66eef912c92",
}
PROTOCOLS = ("jsonrpc", "json2", "web")
#: The sandbox's Odoo 16 profile: no JSON-2 there (``sandbox/profiles.py``).
PROTOCOLS_16 = ("odoo16-jsonrpc", "odoo16-web")
#: the sandbox's users per role (see Target.users)
ROLES = {"admin": "admin", "sales": "demo", "nosales": "nosales"}


LIVE = all(os.environ.get(v) for v in LIVE_VARS)


@pytest.fixture(
    scope="module",
    params=[*PROTOCOLS, *PROTOCOLS_16, *((f"live-{p}" for p in PROTOCOLS) if LIVE else ())],
)
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """A gateway per protocol: over the sandbox (in its 19 and 16 profiles), and over a
    real Odoo when configured.

    JSON-2 takes API keys only, so its users sign in with their keys.
    """
    tmp = tmp_path_factory.mktemp("gateway")
    kind, _, protocol = request.param.rpartition("-")
    if kind == "live":
        password = os.environ["ODOO_PASSWORD"]
        limited = os.environ.get("ODOO_LIMITED_PASSWORD")
        if protocol == "json2":
            if not os.environ.get("ODOO_API_KEY"):
                pytest.skip("live JSON-2 run skipped: set ODOO_API_KEY as well")
            password = os.environ["ODOO_API_KEY"]
            limited = os.environ.get("ODOO_LIMITED_API_KEY")
        settings = gateway_settings(
            tmp, odoo_url=os.environ["ODOO_URL"], db=os.environ["ODOO_DB"], protocol=protocol
        )
        users = {"admin": (os.environ["ODOO_LOGIN"], password)}
        for role, prefix in (("sales", "ODOO_SALES"), ("nosales", "ODOO_LIMITED")):
            login = os.environ.get(f"{prefix}_LOGIN")
            secret = os.environ.get(
                f"{prefix}_API_KEY" if protocol == "json2" else f"{prefix}_PASSWORD"
            )
            if login and secret:
                users[role] = (login, secret)
        with serve_in_thread(create_app(settings)) as url:
            yield Target(
                request.param,
                url,
                os.environ["ODOO_DB"],
                os.environ["ODOO_LOGIN"],
                password,
                os.environ.get("ODOO_LIMITED_LOGIN"),
                limited,
                odoo_url=os.environ["ODOO_URL"],
                users=users,
            )
        return
    secrets = {"admin": "admin", "demo": "demo", "nosales": "nosales"}
    if protocol == "json2":
        secrets = dict(SANDBOX_KEYS)
    admin_pw, nosales_pw = secrets["admin"], secrets["nosales"]
    users = {role: (login, secrets[login]) for role, login in ROLES.items()}
    version = 16 if kind == "odoo16" else 19
    # a fresh sandbox per protocol, so each run starts from the same data
    with serve_in_thread(Sandbox(odoo_version=version).asgi) as odoo_url:
        settings = gateway_settings(tmp, odoo_url=odoo_url, db="sandbox", protocol=protocol)
        with serve_in_thread(create_app(settings)) as url:
            yield Target(
                request.param,
                url,
                "sandbox",
                "admin",
                admin_pw,
                "nosales",
                nosales_pw,
                odoo_url=odoo_url,
                users=users,
                odoo_version=version,
            )


@pytest.fixture(scope="module")
def admin(target: Target) -> requests.Session:
    return target.session()


#: the token stores every store-backed test runs on
STORES = ["sqlite", "postgres"]


@contextlib.contextmanager
def store_of(kind: str, tmp: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh token store location: a SQLite file in ``tmp``, or a new PostgreSQL
    database on the tests' server (shared by ``store`` and module-scoped fixtures)."""
    if kind == "sqlite":
        yield str(tmp / "tokens.db")
        return
    with fresh_database(request.getfixturevalue("pg_dsn")) as dsn:
        yield dsn


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh token store, each test twice: a SQLite file in ``tmp_path``, then a new
    PostgreSQL database."""
    with store_of(request.param, tmp_path, request) as location:
        yield location
