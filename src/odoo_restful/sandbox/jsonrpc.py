"""``POST /jsonrpc``: Odoo's JSON-RPC services ``common``, ``object`` and ``db``.

The service functions have Odoo's names and signatures (``exp_authenticate(db,
login, password, user_agent_env)``...) so that a call with the wrong number of
arguments fails with the same ``TypeError`` as on Odoo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import catalog
from .errors import AccessDenied
from .service import VERSION_INFO, Service
from .wire import Reply, invalid_json, rpc_error, rpc_request, rpc_result


def handle(service: Service, body: bytes) -> Reply:
    request = rpc_request(body)
    if request is None:
        return invalid_json()
    request_id = request.get("id")
    try:
        params = request.get("params") or {}
        if not isinstance(params, dict):
            raise TypeError("params must be an object")
        result = dispatch(
            service, params.get("service"), params.get("method"), params.get("args", [])
        )
    except Exception as exc:
        return rpc_error(request_id, exc)
    return rpc_result(request_id, result)


def dispatch(service: Service, name: Any, method: Any, args: Any) -> Any:
    if not isinstance(args, list):
        raise TypeError(f"args must be a list, not {type(args).__name__}")
    if name == "common":
        return _call(_COMMON, "common", method, service, args)
    if name == "db":
        if method not in _DB:
            raise AccessDenied()
        return _call(_DB, "db", method, service, args)
    if name == "object":
        return _object(service, method, args)
    raise KeyError(name)


def _call(
    table: dict[str, Callable[..., Any]],
    name: str,
    method: Any,
    service: Service,
    params: list[Any],
) -> Any:
    fn = table.get(method) if isinstance(method, str) else None
    if fn is None:
        raise AttributeError(f"module 'odoo.service.{name}' has no attribute 'exp_{method}'")
    return fn(service, *params)


# --- common ----------------------------------------------------------------------


def exp_version(service: Service) -> dict[str, Any]:
    return dict(VERSION_INFO)


def exp_login(service: Service, db: Any, login: Any, password: Any) -> int | bool:
    return exp_authenticate(service, db, login, password, None)


def exp_authenticate(
    service: Service, db: Any, login: Any, password: Any, user_agent_env: Any
) -> int | bool:
    service.check_db(db)
    return service.login(login, password) or False


def exp_about(service: Service, extended: bool = False) -> Any:
    info = "See http://openerp.com"
    return [info, VERSION_INFO["server_version"]] if extended else info


_COMMON: dict[str, Callable[..., Any]] = {
    "version": exp_version,
    "login": exp_login,
    "authenticate": exp_authenticate,
    "about": exp_about,
}


# --- db ------------------------------------------------------------------------------


def exp_list(service: Service, document: bool = False) -> list[str]:
    return service.list_db()


def exp_db_exist(service: Service, db_name: Any) -> bool:
    return service.has_db(db_name)


def exp_list_lang(service: Service) -> list[list[str]]:
    return catalog.languages()


def exp_server_version(service: Service) -> str:
    return str(VERSION_INFO["server_version"])


_DB: dict[str, Callable[..., Any]] = {
    "list": exp_list,
    "db_exist": exp_db_exist,
    "server_version": exp_server_version,
    "list_lang": exp_list_lang,
}


# --- object --------------------------------------------------------------------------


def _object(service: Service, method: Any, params: list[Any]) -> Any:
    db, uid, password = params[0], int(params[1]), params[2]
    service.check_db(db)
    service.check_credentials(uid, password)
    env = service.env(uid)
    if method == "execute":
        return execute(service, env, *params[3:])
    if method == "execute_kw":
        return execute_kw(service, env, *params[3:])
    raise NameError(f"Method not available {method}")


def execute_kw(
    service: Service, env: Any, model: Any, method: Any, args: Any, kw: Any = None
) -> Any:
    return service.call_kw(env, model, method, args, kw or {}, protocol="jsonrpc")


def execute(service: Service, env: Any, model: Any, method: Any, *args: Any) -> Any:
    return service.call_kw(env, model, method, list(args), {}, protocol="jsonrpc")
