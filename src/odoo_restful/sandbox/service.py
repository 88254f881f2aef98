"""What the three RPC protocols share: databases, credentials and calling a method.

``call_kw`` mirrors Odoo's ``odoo.api.call_kw``: ``model`` methods get the
arguments as given, ``records`` methods take their ids from the first argument,
and ``create`` answers an id for one dict and a list of ids for a list. Every
call runs in a store transaction, so a failing call changes nothing.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal

from . import api
from .errors import (
    AccessDenied,
    AccessError,
    MissingError,
    NotFound,
    OperationalError,
    UnprocessableEntity,
    UserError,
)
from .orm import BaseModel, Env, Registry

VERSION_INFO: dict[str, Any] = {
    "server_version": "19.0",
    "server_version_info": [19, 0, 0, "final", 0, ""],
    "server_serie": "19.0",
    "protocol_version": 1,
}
Protocol = Literal["jsonrpc", "web"]


class Service:
    def __init__(self, registry: Registry, db_name: str, aliases: tuple[str, ...]) -> None:
        self.registry = registry
        self.db_name = db_name
        self._databases = {db_name, *aliases}

    # --- databases ---

    def has_db(self, db: Any) -> bool:
        return isinstance(db, str) and db in self._databases

    def check_db(self, db: Any) -> None:
        if not self.has_db(db):
            raise OperationalError(
                'connection to server at "127.0.0.1", port 5432 failed: '
                f'FATAL:  database "{db}" does not exist\n'
            )

    def list_db(self) -> list[str]:
        return [self.db_name]

    # --- credentials ---

    def _users(self) -> dict[int, dict[str, Any]]:
        return self.registry.store.tables["res.users"]

    def _password_ok(self, user: dict[str, Any], password: Any) -> bool:
        if not isinstance(password, str) or not password:
            return False
        return password == user.get("password") or password in user.get("_api_keys", ())

    def login(self, login: Any, password: Any) -> int | None:
        """The uid of the active user ``login`` if ``password`` (or an API key) matches."""
        for uid, user in self._users().items():
            if (
                user.get("login") == login
                and user.get("active")
                and self._password_ok(user, password)
            ):
                return uid
        return None

    def check_credentials(self, uid: Any, password: Any) -> int:
        """Odoo's ``security.check``: an unknown uid is a MissingError on res.users."""
        if not isinstance(uid, int) or isinstance(uid, bool):
            raise AccessDenied()
        user = self._users().get(uid)
        if user is None:
            raise MissingError(
                "Record does not exist or has been deleted.\n"
                f"(Record: res.users({uid},), User: {uid})"
            )
        if not user.get("active") or not self._password_ok(user, password):
            raise AccessDenied()
        return uid

    def uid_for_api_key(self, key: str) -> int | None:
        for uid, user in self._users().items():
            if user.get("active") and key and key in user.get("_api_keys", ()):
                return uid
        return None

    def env(self, uid: int, context: Any = None, *, http_session: bool = False) -> Env:
        ctx = dict(context) if isinstance(context, dict) else {}
        return Env(self.registry, uid, ctx, http_session=http_session)

    # --- calling model methods ---

    def call_kw(
        self,
        env: Env,
        model: Any,
        method: Any,
        args: Any,
        kwargs: Any,
        *,
        protocol: Protocol,
    ) -> Any:
        """``execute_kw`` / ``/web/dataset/call_kw``: positional and keyword arguments."""
        if not isinstance(method, str):
            raise TypeError(f"method name must be a string, not {type(method).__name__}")
        if protocol == "jsonrpc":
            _check_method_name(model, method)
        cls = self.registry.models.get(model) if isinstance(model, str) else None
        if cls is None:
            if protocol == "web":
                raise KeyError(model)
            raise UserError(f"Object {model} doesn't exist")
        if protocol == "web":
            _check_method_name(model, method)
        if not isinstance(args, list | tuple):
            raise TypeError(f"args must be a list, not {type(args).__name__}")
        kwargs = dict(kwargs or {})
        context = kwargs.pop("context", None)
        env = env.with_extra_context(context)
        records = cls(env)
        _check_private(model, method, getattr(cls, method, None))
        kind = api.kind_of(getattr(cls, method, None))
        if kind is None:
            raise AttributeError(f"The method '{model}.{method}' does not exist")
        args = list(args)
        if kind == "records":
            if not args:
                raise IndexError("list index out of range")
            records = records.browse(_ids(args.pop(0)))
        bound: Callable[..., Any] = getattr(records, method)
        with self.registry.store.transaction():
            result = bound(*args, **kwargs)
        if kind == "create" and args and isinstance(args[0], dict) and isinstance(result, list):
            return result[0]
        return result

    def call_json2(self, env: Env, model: str, method: str, params: dict[str, Any]) -> Any:
        """``POST /json/2/<model>/<method>``: named arguments only, ``ids`` apart."""
        cls = self.registry.models.get(model)
        if cls is None:
            raise NotFound(f"the model '{model}' does not exist")
        _check_method_name(model, method)
        _check_private(model, method, getattr(cls, method, None))
        kind = api.kind_of(getattr(cls, method, None))
        if kind is None:
            raise NotFound(f"The method '{model}.{method}' does not exist")
        params = dict(params)
        ids = params.pop("ids", None)
        context = params.pop("context", None)
        env = env.with_extra_context(context)
        records: BaseModel = cls(env)
        if kind == "records":
            records = records.browse(_ids(ids if ids is not None else []))
        elif ids is not None:
            raise UnprocessableEntity(f"cannot call {model}.{method} with ids")
        bound: Callable[..., Any] = getattr(records, method)
        try:
            inspect.signature(bound).bind(**params)
        except TypeError as exc:
            raise UnprocessableEntity(str(exc)) from exc
        with self.registry.store.transaction():
            return bound(**params)


def _check_method_name(model: Any, method: str) -> None:
    if method.startswith("_"):
        raise _private_error(model, method)


def _check_private(model: Any, method: str, fn: object) -> None:
    if api.is_private(fn):
        raise _private_error(model, method)


def _private_error(model: Any, method: str) -> AccessError:
    return AccessError(f"Private methods (such as '{model}.{method}') cannot be called remotely.")


def _ids(value: Any) -> list[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, list | tuple) and all(
        isinstance(i, int) and not isinstance(i, bool) for i in value
    ):
        return list(value)
    raise TypeError(f"ids must be a list of integers, not {value!r}")
