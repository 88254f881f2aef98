"""The exceptions the sandbox raises, named and shaped as Odoo 19 reports them.

Odoo puts ``{"name", "message", "arguments", "context", "debug"}`` on the wire for
every error. ``name`` is the dotted class path of the Python exception
(``odoo.exceptions.AccessError``, ``builtins.ValueError``, ...). The sandbox raises
the classes below for Odoo's own exceptions and plain Python exceptions
(``ValueError``, ``TypeError``, ``KeyError``...) for the rest, exactly where Odoo
lets a Python error through; :func:`serialize` turns any of them into the wire shape.

``debug`` is a short fake traceback (never a real one): enough for a client to see
that a traceback is there, so that a gateway's "never pass ``debug`` on" logic is
exercised.
"""

from __future__ import annotations

from typing import Any, ClassVar


class OdooError(Exception):
    """Base of Odoo's own exceptions (``odoo.exceptions.*`` and friends)."""

    odoo_name: ClassVar[str] = "odoo.exceptions.UserError"
    #: HTTP status of this error on JSON-2 (``/json/2/...``).
    json2_status: ClassVar[int] = 422
    #: ``error.code`` in a JSON-RPC error envelope.
    rpc_code: ClassVar[int] = 0
    rpc_message: ClassVar[str] = "Odoo Server Error"

    def __init__(self, message: str, *extra: Any) -> None:
        super().__init__(message, *extra)
        self.message = message

    @property
    def arguments(self) -> list[Any]:
        return list(self.args)

    def debug(self) -> str:
        return _fake_traceback(self.odoo_name, self.message)


class UserError(OdooError):
    odoo_name = "odoo.exceptions.UserError"


class ValidationError(UserError):
    odoo_name = "odoo.exceptions.ValidationError"


class AccessError(UserError):
    odoo_name = "odoo.exceptions.AccessError"
    json2_status = 403


class MissingError(UserError):
    odoo_name = "odoo.exceptions.MissingError"
    json2_status = 404


class AccessDenied(OdooError):
    odoo_name = "odoo.exceptions.AccessDenied"
    json2_status = 401

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)

    def debug(self) -> str:
        # Odoo hides the traceback of AccessDenied (recorded: no "Traceback" line).
        return f"{self.odoo_name}: {self.message}\n"


class OperationalError(OdooError):
    """What psycopg2 raises when the database named in the call does not exist."""

    odoo_name = "psycopg2.OperationalError"
    json2_status = 500


class DatabaseError(OdooError):
    """An error PostgreSQL raises that Odoo lets through (``psycopg2.errors.*``)."""

    odoo_name = "psycopg2.DatabaseError"
    json2_status = 500


class InvalidTextRepresentation(DatabaseError):
    """A text that cannot be cast to the column's type (``('id', '=', 'base.x')``)."""

    odoo_name = "psycopg2.errors.InvalidTextRepresentation"


class InvalidRowCountInLimitClause(DatabaseError):
    """A negative ``limit``."""

    odoo_name = "psycopg2.errors.InvalidRowCountInLimitClause"

    def __init__(self, message: str = "LIMIT must not be negative\n") -> None:
        super().__init__(message)


class SessionExpired(OdooError):
    odoo_name = "odoo.http.SessionExpiredException"
    json2_status = 401
    rpc_code = 100
    rpc_message = "Odoo Session Expired"

    def __init__(self, message: str = "Session expired") -> None:
        super().__init__(message)


class HTTPError(OdooError):
    """A werkzeug HTTP exception: its status travels in ``arguments`` too."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal Server Error"

    def __init__(self, message: str) -> None:
        super().__init__(message, self.status)

    def debug(self) -> str:
        return _fake_traceback(self.odoo_name, f"{self.status} {self.title}: {self.message}")


class NotFound(HTTPError):
    odoo_name = "werkzeug.exceptions.NotFound"
    status = json2_status = rpc_code = 404
    title = "Not Found"
    rpc_message = "404: Not Found"


class Unauthorized(HTTPError):
    odoo_name = "werkzeug.exceptions.Unauthorized"
    status = json2_status = 401
    title = "Unauthorized"


class UnprocessableEntity(HTTPError):
    odoo_name = "werkzeug.exceptions.UnprocessableEntity"
    status = json2_status = 422
    title = "Unprocessable Entity"


class BadRequest(HTTPError):
    odoo_name = "werkzeug.exceptions.BadRequest"
    status = json2_status = 400
    title = "Bad Request"


def _fake_traceback(name: str, message: str) -> str:
    return f"Traceback (most recent call last):\n  [sandbox]\n{name}: {message}\n"


def error_name(exc: BaseException) -> str:
    """``error.data.name`` for ``exc``: ``odoo.exceptions.X`` or ``builtins.ValueError``."""
    if isinstance(exc, OdooError):
        return exc.odoo_name
    cls = type(exc)
    return f"{cls.__module__}.{cls.__qualname__}"


def _message(exc: BaseException) -> str:
    if isinstance(exc, OdooError):
        return exc.message
    # Odoo reports ``args[0]`` for Python errors: KeyError('nope') -> "nope".
    if exc.args:
        return str(exc.args[0])
    return str(exc)


def _arguments(exc: BaseException) -> list[Any]:
    if isinstance(exc, OdooError):
        return exc.arguments
    return [
        a if isinstance(a, str | int | float | bool) or a is None else repr(a) for a in exc.args
    ]


def serialize(exc: BaseException) -> dict[str, Any]:
    """The ``{"name", "message", "arguments", "context", "debug"}`` object Odoo sends."""
    name = error_name(exc)
    message = _message(exc)
    if isinstance(exc, OdooError):
        debug = exc.debug()
    else:
        short = name.removeprefix("builtins.")
        debug = _fake_traceback(short, message if not isinstance(exc, KeyError) else repr(message))
    return {
        "name": name,
        "message": message,
        "arguments": _arguments(exc),
        "context": {},
        "debug": debug,
    }


def json2_status(exc: BaseException) -> int:
    """HTTP status of ``exc`` on JSON-2: Odoo's own errors carry it, Python errors are 500."""
    if isinstance(exc, OdooError):
        return exc.json2_status
    return 500
