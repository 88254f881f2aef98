"""The web client's JSON-RPC routes: ``/web/session/*`` and ``/web/dataset/call_kw``.

Sessions live in memory, keyed by the ``session_id`` cookie that
``/web/session/authenticate`` sets. A missing or unknown session is Odoo's
``SessionExpiredException`` (``error.code`` 100, ``id`` null).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, timedelta
from email.utils import format_datetime
from typing import Any

from . import profiles
from .errors import AccessDenied, AccessError, SessionExpired
from .orm import Env
from .service import Service
from .wire import Reply, invalid_json, rpc_error, rpc_request, rpc_result

SESSION_MAX_AGE = 7 * 24 * 3600
ROUTES = frozenset(
    {
        "/web/session/authenticate",
        "/web/session/get_session_info",
        "/web/session/destroy",
        "/web/dataset/call_kw",
        "/web/version",
        "/web/webclient/version_info",
        "/web/database/list",
    }
)


def is_web_route(path: str) -> bool:
    return path in ROUTES or path.startswith("/web/dataset/call_kw/")


#: Odoo 19's defaults: a signed-in session gets a new id after 3 hours (on the next
#: request), and the old id keeps working 120 seconds more for requests already sent.
ROTATION_INTERVAL = 3 * 3600.0
DELETION_TIMER = 120.0
#: The part of a 19 session id a rotation keeps (Odoo's CSRF tokens and device logs use it).
_STATIC_CHARS = 42


@dataclass
class Session:
    sid: str
    uid: int
    db: str
    login: str
    created: float = 0.0
    #: Set on a rotated-away session: where it went, and when it stops working.
    next_sid: str | None = None
    deletion_time: float | None = None


class Sessions:
    """The web sessions, rotated as Odoo 19 does when the profile says so.

    ``rotation_interval`` and ``deletion_timer`` (seconds) are Odoo's defaults; tests
    shorten them. ``opened`` counts sign-ins and ``rotations`` new ids, so a test can
    see a sign-in was avoided and a rotation happened once.
    """

    def __init__(
        self,
        *,
        rotation_interval: float = ROTATION_INTERVAL,
        deletion_timer: float = DELETION_TIMER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._by_id: dict[str, Session] = {}
        self.rotation_interval = rotation_interval
        self.deletion_timer = deletion_timer
        self.clock = clock
        self.opened = 0
        self.rotations = 0

    def open(self, uid: int, db: str, login: str) -> Session:
        session = Session(_new_sid(), uid, db, login, created=self.clock())
        self._by_id[session.sid] = session
        self.opened += 1
        return session

    def get(self, sid: str | None) -> Session | None:
        """The live session of this id: one past its deletion time is gone (expired)."""
        session = self._by_id.get(sid) if sid else None
        deadline = session.deletion_time if session is not None else None
        if session is not None and deadline is not None and deadline <= self.clock():
            del self._by_id[session.sid]
            return None
        return session

    def settle(self, session: Session) -> Session:
        """The session a reply's cookie names after a request: a new id once the
        interval has passed (Odoo 19's soft rotation), the same new id for every
        request still made with the old one, else the session itself."""
        if session.next_sid is not None:
            following = self._by_id.get(session.next_sid)
            return following if following is not None else session
        if not profiles.current().rotates_sessions:
            return session
        now = self.clock()
        if now < session.created + self.rotation_interval:
            return session
        rotated = replace(session, sid=session.sid[:_STATIC_CHARS] + _new_sid()[_STATIC_CHARS:])
        rotated.created = now
        session.next_sid = rotated.sid
        session.deletion_time = now + self.deletion_timer
        self._by_id[rotated.sid] = rotated
        self.rotations += 1
        return rotated

    def close(self, sid: str | None) -> None:
        if sid:
            self._by_id.pop(sid, None)

    def clear(self) -> None:
        self._by_id.clear()


def _new_sid() -> str:
    # Odoo 16: 40 hex characters; 19: 84 URL-safe ones.
    if profiles.current().session_id_hex:
        return secrets.token_hex(20)
    return secrets.token_urlsafe(63)


def handle(
    service: Service, sessions: Sessions, path: str, headers: Mapping[str, str], body: bytes
) -> Reply:
    request = rpc_request(body)
    if request is None:
        return invalid_json()
    request_id = request.get("id")
    params = request.get("params") or {}
    sid = session_id(headers)
    try:
        if not isinstance(params, dict):
            raise TypeError("params must be an object")
        if path in ("/web/version", "/web/webclient/version_info"):
            return rpc_result(request_id, profiles.current().version_info)
        if path == "/web/database/list":
            return rpc_result(request_id, service.list_db())
        if path == "/web/session/authenticate":
            opened = _authenticate(service, sessions, params)
            info = session_info(service, opened)
            return rpc_result(request_id, info, _set_cookie(service, opened))
        session = sessions.get(sid)
        if path == "/web/session/destroy":
            sessions.close(sid)
            return rpc_result(request_id, None)
        if session is None:
            return rpc_error(None, SessionExpired())
        if path == "/web/session/get_session_info":
            info = session_info(service, session)
            return rpc_result(request_id, info, _set_cookie(service, sessions.settle(session)))
        env = service.env(session.uid, _user_context(service, session.uid), http_session=True)
        result = service.call_kw(
            env,
            params.get("model"),
            params.get("method"),
            params.get("args", []),
            params.get("kwargs", {}),
            protocol="web",
        )
    except Exception as exc:
        return rpc_error(request_id, exc)
    settled = sessions.settle(session)
    cookie = (
        _set_cookie(service, settled)
        if profiles.current().cookie_on_call_kw or settled is not session
        else None
    )
    return rpc_result(request_id, result, cookie)


def _authenticate(service: Service, sessions: Sessions, params: dict[str, Any]) -> Session:
    db = params.get("db")
    if not service.has_db(db):
        raise AccessError("Database not found.")
    uid = service.login(params.get("login"), params.get("password"))
    if uid is None:
        raise AccessDenied()
    return sessions.open(uid, str(db), str(params.get("login")))


def session_id(headers: Mapping[str, str]) -> str | None:
    """The ``session_id`` cookie a request carries (JSON-RPC routes and web pages alike)."""
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == "session_id" and value:
            return value
    return None


def _set_cookie(service: Service, session: Session) -> dict[str, str]:
    expiry = service.registry.now().replace(tzinfo=UTC) + timedelta(seconds=SESSION_MAX_AGE)
    expires = format_datetime(expiry, usegmt=True)
    return {
        "set-cookie": f"session_id={session.sid}; Expires={expires}; "
        f"Max-Age={SESSION_MAX_AGE}; HttpOnly; Path=/"
    }


def _user_context(service: Service, uid: int) -> dict[str, Any]:
    user = service.registry.store.tables["res.users"].get(uid, {})
    return {"lang": user.get("lang") or "en_US", "tz": user.get("tz") or False, "uid": uid}


def session_info(service: Service, session: Session) -> dict[str, Any]:
    """What Odoo's ``session_info`` shows for the session's user (the recorded keys)."""
    env = Env(service.registry, session.uid, su=True)
    users, partners = env["res.users"], env["res.partner"]
    uid = session.uid
    user = users.rows[uid]
    partner = int(user["partner_id"])
    system = user.get("_profile") == "system"
    context = _user_context(service, uid)
    settings = {
        "id": uid,
        "embedded_actions_config_ids": {},
        "is_discuss_sidebar_category_channel_open": True,
        "is_discuss_sidebar_category_chat_open": True,
        "push_to_talk_key": False,
        "use_push_to_talk": False,
        "voice_active_duration": 200,
        "channel_notifications": False,
        "user_id": {"id": uid},
        "volumes": [["ADD", []]],
    }
    companies = env["res.company"]
    allowed = [c for c in users.value(uid, "company_ids") if c in companies.rows]
    currencies = env["res.currency"]
    info = {
        "uid": uid,
        "is_system": system,
        "is_admin": system,
        "is_public": False,
        "is_internal_user": user.get("_profile") != "portal",
        "user_context": context,
        "db": session.db,
        "registry_hash": "5a9c1f0e7d3b2a8c6e4f1d0b9a7c5e3f1b2d4a6c8e0f2a4c6e8b0d2f4a6c8e0f",
        "user_settings": settings,
        "server_version": profiles.current().server_version,
        "server_version_info": profiles.current().version_info["server_version_info"],
        "support_url": "https://www.odoo.com/buy",
        "name": users.value(uid, "name"),
        "username": user.get("login"),
        "quick_login": True,
        "partner_write_date": partners.value(partner, "write_date"),
        "partner_display_name": partners.display_name(partner),
        "partner_id": partner,
        "web.base.url": "http://127.0.0.1:8069",
        "active_ids_limit": 20000,
        "profile_session": None,
        "profile_collectors": None,
        "profile_params": None,
        "max_file_upload_size": 134217728,
        "home_action_id": False,
        "currencies": {
            str(cid): {
                "name": currencies.value(cid, "name"),
                "symbol": currencies.value(cid, "symbol"),
                "position": currencies.value(cid, "position"),
                "digits": [69, currencies.value(cid, "decimal_places")],
            }
            for cid in currencies.all_ids(active_test=True)
        },
        "bundle_params": {"lang": context["lang"]},
        "test_mode": False,
        "view_info": _VIEW_INFO,
        "groups": {"base.group_allow_export": system},
        "user_companies": {
            "current_company": user.get("company_id"),
            "allowed_companies": {
                str(cid): {
                    "id": cid,
                    "name": companies.value(cid, "name"),
                    "sequence": companies.value(cid, "sequence"),
                    "child_ids": companies.value(cid, "child_ids"),
                    "parent_id": companies.value(cid, "parent_id"),
                    "currency_id": companies.value(cid, "currency_id"),
                }
                for cid in allowed
            },
            "disallowed_ancestor_companies": {},
        },
        "show_effect": True,
        "websocket_worker_version": "19.0-2",
        "tour_enabled": False,
        "current_tour": None,
        "storeData": _store_data(env, uid, partner, settings, system),
        "iap_company_enrich": True,
        "can_insert_in_spreadsheet": False,
    }
    if not system:  # recorded: only administrators get it (odoo-wire-19b, nosales)
        del info["iap_company_enrich"]
    return info


def _store_data(
    env: Env, uid: int, partner: int, settings: dict[str, Any], system: bool
) -> dict[str, Any]:
    partners, users = env["res.partner"], env["res.users"]
    bot = {
        "active": False,
        "avatar_128_access_token": secrets.token_hex(32),
        "email": partners.value(2, "email"),
        "id": 2,
        "im_status": "bot",
        "im_status_access_token": secrets.token_hex(32),
        "is_company": False,
        "main_user_id": 1,
        "name": partners.value(2, "name"),
        "write_date": partners.value(2, "write_date"),
    }
    me = {
        "active": partners.value(partner, "active"),
        "avatar_128_access_token": secrets.token_hex(32),
        "id": partner,
        "im_status": "offline",
        "im_status_access_token": secrets.token_hex(32),
        "main_user_id": uid,
        "name": partners.value(partner, "name"),
        "write_date": partners.value(partner, "write_date"),
    }
    return {
        "Store": {
            "action_discuss_id": 124,
            "channel_types_with_seen_infos": ["chat", "group"],
            "hasCannedResponses": True,
            "hasGifPickerFeature": False,
            "hasLinkPreviewFeature": True,
            "hasMessageTranslationFeature": False,
            "internalUserGroupId": 1,
            "mt_comment": 1,
            "mt_note": 2,
            "odoobot": 2,
            "self_partner": partner,
            "settings": settings,
        },
        "res.partner": [bot, me],
        "res.users": [
            {"id": 1, "share": False},
            {
                "id": uid,
                "is_admin": system,
                "notification_type": users.value(uid, "notification_type") or "email",
                "share": users.value(uid, "share"),
                "signature": ["markup", users.value(uid, "signature") or ""],
            },
        ],
    }


_VIEW_INFO: dict[str, Any] = {
    "list": {"display_name": "List", "icon": "oi oi-view-list", "multi_record": True},
    "form": {"display_name": "Form", "icon": "fa fa-address-card", "multi_record": False},
    "graph": {"display_name": "Graph", "icon": "fa fa-area-chart", "multi_record": True},
    "pivot": {"display_name": "Pivot", "icon": "oi oi-view-pivot", "multi_record": True},
    "calendar": {"display_name": "Calendar", "icon": "fa fa-calendar", "multi_record": True},
    "kanban": {"display_name": "Kanban", "icon": "oi oi-view-kanban", "multi_record": True},
    "search": {"display_name": "Search", "icon": "oi oi-search", "multi_record": True},
    "activity": {"display_name": "Activity", "icon": "fa fa-clock-o", "multi_record": True},
}
