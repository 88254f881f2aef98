"""The sandbox: an in-memory stand-in for the RPC endpoints of an Odoo 19 server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote

from . import data, files, json2, jsonrpc, profiles, websession
from .asgi import SandboxASGI
from .models_attachment import IrAttachment
from .models_base import (
    ApiKeyDescription,
    CrmTeam,
    ProductCategory,
    ProductProduct,
    ProductTemplate,
    ResCompany,
    ResCountry,
    ResCountryState,
    ResCurrency,
    ResPartner,
    ResPartnerCategory,
    ResUsers,
    UomUom,
)
from .models_ir import IrModel, IrModelAccess, IrModelData
from .models_mail import MailMessage
from .models_report import IrActionsReport
from .models_sale import SaleOrder, SaleOrderLine
from .orm import BaseModel, Registry
from .service import Service
from .wire import (
    METHOD_NOT_ALLOWED_PAGE,
    NOT_FOUND_PAGE,
    Reply,
    html_reply,
    json_reply,
    redirect_reply,
    rpc_error,
)

MODELS: tuple[type[BaseModel], ...] = (
    ResPartner,
    ResPartnerCategory,
    ResCountry,
    ResCountryState,
    ResCurrency,
    ResCompany,
    ResUsers,
    ApiKeyDescription,
    CrmTeam,
    UomUom,
    ProductCategory,
    ProductTemplate,
    ProductProduct,
    SaleOrder,
    SaleOrderLine,
    IrModel,
    IrModelData,
    IrModelAccess,
    MailMessage,
    IrAttachment,
    IrActionsReport,
)


_LOGIN_PAGES = frozenset({"/", "/web", "/odoo", "/doc"})


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Sandbox:
    """A fresh, seeded in-memory Odoo database (named ``sandbox``, alias ``demo``).

    ``handle`` answers one HTTP request synchronously and never raises; ``asgi``
    serves the same routes over HTTP. ``now`` (a function returning a naive UTC
    datetime) sets the clock used for create/write dates and default dates.
    """

    def __init__(
        self,
        *,
        db_name: str = "sandbox",
        aliases: tuple[str, ...] = ("demo",),
        now: Callable[[], datetime] | None = None,
        odoo_version: int = 19,
        session_rotation_interval: float = websession.ROTATION_INTERVAL,
        session_deletion_timer: float = websession.DELETION_TIMER,
    ) -> None:
        self.profile = profiles.by_version(odoo_version)
        with profiles.use(self.profile):
            self.registry = Registry(MODELS, now or _utcnow)
            data.load(self.registry)
        self.service = Service(self.registry, db_name, aliases)
        self.sessions = websession.Sessions(
            rotation_interval=session_rotation_interval, deletion_timer=session_deletion_timer
        )
        self._lock = threading.Lock()
        self.asgi = SandboxASGI(self)

    @property
    def db_name(self) -> str:
        return self.service.db_name

    def expire_sessions(self) -> None:
        """Forget every web session: the next call with an old cookie gets SessionExpired."""
        with self._lock:
            self.sessions.clear()

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        lowered = {key.lower(): value for key, value in headers.items()}
        route, _, query = path.partition("?")
        verb = method.upper()
        with self._lock, profiles.use(self.profile):
            try:
                if files.is_file_route(route):
                    return files.handle(self.service, self.sessions, verb, route, query, lowered)
                return self._route(verb, route, lowered, body or b"", query)
            except Exception as exc:  # a bug of the sandbox: still an Odoo-shaped answer
                return rpc_error(None, exc)

    def _route(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes, query: str = ""
    ) -> Reply:
        profile = self.profile
        if profile.has_json2 and (path == json2.PREFIX or path.startswith(json2.PREFIX + "/")):
            return json2.handle(self.service, method, path, headers, body)
        if path == "/jsonrpc":
            if method != "POST":
                return html_reply(405, METHOD_NOT_ALLOWED_PAGE)
            return jsonrpc.handle(self.service, body)
        if websession.is_web_route(path) and (path != "/web/version" or profile.has_web_version):
            if method != "POST":
                return html_reply(405, METHOD_NOT_ALLOWED_PAGE)
            return websession.handle(self.service, self.sessions, path, headers, body)
        if method == "GET" and path in _LOGIN_PAGES:
            # The web client's pages, without a session: to the login page (or /odoo).
            if path == "/":
                return redirect_reply("/odoo")
            return redirect_reply("/web/login?redirect=" + quote(f"{path}?{query}", safe=""))
        if profile.has_json_version and path == "/json/version" and method in ("GET", "HEAD"):
            info = {
                "version_info": profiles.current().version_info["server_version_info"],
                "version": profiles.current().server_version,
            }
            return json_reply(info)
        return html_reply(404, NOT_FOUND_PAGE)
