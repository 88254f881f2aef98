"""The one exception tree of the gateway and its mapping to HTTP.

Every layer (request parsing, token store, Odoo clients) raises one of these;
``app`` turns them into ``{"type": ..., "message": ...}`` bodies in one place.
``type`` is stable and machine-readable; ``message`` is for people and never
carries Odoo's traceback, a token or a password.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar


class GatewayError(Exception):
    """Base class: an error the client should see as ``status`` + ``type``."""

    status: ClassVar[int] = 500
    type: ClassVar[str] = "server_error"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"type": self.type, "message": self.message}


# --- client mistakes found by the gateway itself (4xx before Odoo is called) ---


class BadRequest(GatewayError):
    status = 400
    type = "bad_request"


class MissingParameters(BadRequest):
    type = "missing_parameters"


class PayloadTooLarge(GatewayError):
    status = 413
    type = "payload_too_large"


class MethodNotAllowed(GatewayError):
    status = 405
    type = "method_not_allowed"


class RouteNotFound(GatewayError):
    status = 404
    type = "not_found"


class Conflict(GatewayError):
    """The request names records ambiguously (an upsert key matching several)."""

    status = 409
    type = "conflict"


class TooManyRequests(GatewayError):
    status = 429
    type = "too_many_requests"


class IdempotencyKeyInUse(GatewayError):
    """A retry arrived while the first request with its Idempotency-Key still runs."""

    status = 409
    type = "idempotency_key_in_use"


class IdempotencyKeyReused(GatewayError):
    """The Idempotency-Key was first sent with another request (method, path or body)."""

    status = 422
    type = "idempotency_key_reused"


# --- authentication and authorisation ---


class Unauthorized(GatewayError):
    status = 401
    type = "unauthorized"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer", **(headers or {})})


class InvalidCredentials(Unauthorized):
    type = "invalid_credentials"


class InvalidToken(Unauthorized):
    type = "invalid_token"


class SecretDecryptionError(InvalidToken):
    """The stored Odoo secret cannot be unlocked: wrong token, wrong key or tampering."""


class TokenExpired(Unauthorized):
    type = "token_expired"


class Forbidden(GatewayError):
    status = 403
    type = "access_denied"


class MethodForbidden(Forbidden):
    type = "method_forbidden"


class ScopeDenied(Forbidden):
    """The token's scopes do not allow this (checked before Odoo is called)."""

    type = "scope_denied"


class FieldForbidden(Forbidden):
    """A field on the gateway's write deny-list (``--write-deny-fields``)."""

    type = "field_forbidden"


class DatabaseNotAllowed(Forbidden):
    type = "database_not_allowed"


class WebSessionRequired(Forbidden):
    """Odoo renders reports on its web routes only, and signs in there with passwords only."""

    type = "web_session_required"


class NotABinaryField(GatewayError):
    """A file route named a field that exists but does not hold a file."""

    status = 422
    type = "not_a_binary_field"


class TokenStoreError(GatewayError):
    """The token store failed (unreachable, locked, corrupt); details go to the log only."""

    status = 503
    type = "token_store_unavailable"


class DatabaseNotFound(GatewayError):
    status = 404
    type = "database_not_found"

    def __init__(self, message: str = "this database does not exist on the Odoo server") -> None:
        super().__init__(message)


# --- errors Odoo reported (mapped from error.data.name) ---


class OdooError(GatewayError):
    """An application error reported by Odoo; ``odoo_name`` is its exception class."""

    status = 422
    type = "odoo_error"

    def __init__(self, message: str, *, odoo_name: str = "", headers: dict[str, str] | None = None):
        super().__init__(message, headers=headers)
        self.odoo_name = odoo_name


class AccessDenied(OdooError):
    status = 401
    type = "access_denied_by_odoo"


class AccessError(OdooError):
    status = 403
    type = "access_error"


class MissingError(OdooError):
    status = 404
    type = "missing_error"


class UnknownModel(OdooError):
    status = 404
    type = "unknown_model"


class UnknownMethod(OdooError):
    status = 404
    type = "unknown_method"


class NotImplementedOnVersion(UnknownMethod):
    """What the gateway was asked needs a newer Odoo than the server runs (e.g.
    ``web_read`` on Odoo 16): 501, naming both versions, never a 500."""

    status = 501
    type = "not_implemented_on_version"


class ValidationError(OdooError):
    status = 422
    type = "validation_error"


class UserError(OdooError):
    status = 422
    type = "user_error"


class InvalidParameters(OdooError):
    """Odoo rejected a field, domain, value or argument (ValueError, TypeError, KeyError)."""

    status = 422
    type = "invalid_parameters"


class SessionExpired(OdooError):
    status = 401
    type = "session_expired"


# --- Odoo itself is unwell ---


class UpstreamError(GatewayError):
    status = 502
    type = "bad_gateway"


class ReplyTooLarge(UpstreamError):
    """Odoo's reply is over the gateway's cap: 502, since the request itself was fine."""

    def __init__(self) -> None:
        super().__init__(
            "Odoo's reply is larger than the gateway accepts: ask for fewer records or fields"
        )


class BadReply(UpstreamError):
    """Odoo's reply arrived broken: malformed, cut short, corrupt, or not what was asked.

    Only a reply that is complete and clean is a success; any other is this, never
    taken for a short or empty answer.
    """


class RouteAbsent(UpstreamError):
    """Odoo (or its front server) refused one of its routes with a 4xx: this version
    does not serve it (JSON-2 before 19) or it is switched off; as against Odoo being
    down, failing or broken, which is asked again."""


class OdooServerError(UpstreamError):
    """Odoo failed in a way that is not the client's fault (an unexpected exception)."""

    type = "odoo_server_error"


class OdooUnavailable(UpstreamError):
    """Odoo could not be reached, or the connection ended before any reply.

    ``written``: whether any byte of the request may have left, so that Odoo may have
    acted on it (an idempotent create must then not be run again)."""

    status = 503
    type = "odoo_unavailable"

    def __init__(self, message: str, *, retry_after: int = 5, written: bool = False) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.written = written


class OdooTimeout(UpstreamError):
    status = 504
    type = "odoo_timeout"


class OutcomeUnknown(UpstreamError):
    """A request with this Idempotency-Key was cut off (its gateway process died) after
    it may have reached Odoo: the key keeps this answer rather than risk doing it twice."""

    type = "outcome_unknown"


class UnsafeRequest(GatewayError):
    """The gateway refused to send Odoo a request breaking HTTP's grammar (a header
    value with a line break, a method that is not a token): a bug, or hostile input
    that slipped past the checks before it. Nothing was sent."""

    status = 500
    type = "unsafe_upstream_request"


_UNKNOWN_MODEL = re.compile(r"^Object (\S+) doesn't exist")
_QUOTED = re.compile(r"'([^']+)'")
_BY_NAME: dict[str, type[OdooError]] = {
    "odoo.exceptions.AccessDenied": AccessDenied,
    "odoo.exceptions.AccessError": AccessError,
    "odoo.exceptions.MissingError": MissingError,
    "odoo.exceptions.ValidationError": ValidationError,
    "odoo.exceptions.UserError": UserError,
    "odoo.exceptions.RedirectWarning": UserError,
    "odoo.exceptions.except_orm": UserError,
    "odoo.exceptions.Warning": UserError,
    "odoo.http.SessionExpiredException": SessionExpired,
    "builtins.ValueError": InvalidParameters,
    "builtins.TypeError": InvalidParameters,
    "builtins.KeyError": InvalidParameters,
    "builtins.IndexError": InvalidParameters,
    "builtins.AttributeError": UnknownMethod,
    "werkzeug.exceptions.Unauthorized": AccessDenied,
    "werkzeug.exceptions.UnprocessableEntity": InvalidParameters,
    "werkzeug.exceptions.BadRequest": InvalidParameters,
    # bad client input that Odoo 19 lets reach PostgreSQL (recorded): a text where an id
    # is expected in a domain, a negative limit
    "psycopg2.errors.InvalidTextRepresentation": InvalidParameters,
    "psycopg2.errors.InvalidRowCountInLimitClause": InvalidParameters,
    "psycopg2.errors.UniqueViolation": ValidationError,
    "psycopg2.errors.NotNullViolation": ValidationError,
    "psycopg2.errors.CheckViolation": ValidationError,
    "psycopg2.errors.ForeignKeyViolation": ValidationError,
    "psycopg2.IntegrityError": ValidationError,
}

_MAX_MESSAGE = 2000
# How Python words a call that does not match a function's signature.
_SIGNATURE = re.compile(
    r"positional arguments? but \d+ (?:was|were) given|unexpected keyword argument"
    r"|missing \d+ required (?:positional|keyword-only) argument"
    r"|got multiple values for (?:keyword )?argument|takes no (?:keyword )?arguments"
    r"|takes (?:from \d+ to )?\d+ positional argument"
)
#: Odoo <= 16: "type object 'res.partner' has no attribute 'x'" for an unknown method.
_NO_ATTRIBUTE = re.compile(r"^type object '([^']+)' has no attribute '([^']+)'")


def _from_odoo_16(name: str, message: str) -> GatewayError | None:
    """Odoo 16's forms of errors 19 words otherwise (``../shared/odoo-wire-16``)."""
    if name == "builtins.AttributeError":
        match = _NO_ATTRIBUTE.match(message)
        if match:
            method = f"{match.group(1)}.{match.group(2)}"
            return UnknownMethod(f"method '{method}' does not exist", odoo_name=name)
    if name == "builtins.AssertionError" and message.startswith("This domain is syntactically"):
        return InvalidParameters(message, odoo_name=name)
    if name == "psycopg2.ProgrammingError" and message.startswith("can't adapt type"):
        # A plain dict where Odoo wanted a command (16; 19 says "unhashable type").
        return InvalidParameters(message, odoo_name=name)
    if name == "builtins.KeyError" and message.strip("'\"") == "lang":
        # Odoo 16's /jsonrpc and XML-RPC lose every SQL-constraint violation this way
        # (its _as_validation_error reads env.context['lang'] of the RPC env).
        return ValidationError(
            "Odoo refused the values: a database constraint (unique or check) failed; "
            "Odoo 16 does not say which over JSON-RPC",
            odoo_name=name,
        )
    return None


def from_odoo(name: str, message: str) -> GatewayError:
    """Build the gateway exception for an Odoo error ``name`` (``error.data.name``).

    Only the human message is kept, trimmed: never the ``debug`` traceback.
    """
    message = (message or "").strip()[:_MAX_MESSAGE] or "Odoo reported an error"
    cls: type[OdooError] | None
    unknown_model = _UNKNOWN_MODEL.match(message) if name == "odoo.exceptions.UserError" else None
    if unknown_model:
        # Same words whichever protocol reported it (JSON-RPC and JSON-2 differ).
        return UnknownModel(f"model '{unknown_model.group(1)}' does not exist", odoo_name=name)
    if name == "werkzeug.exceptions.NotFound":
        quoted = _QUOTED.search(message)
        if message.lower().startswith("the method"):  # a model name may hold "method"
            what = f"method '{quoted.group(1)}'" if quoted else "this method"
            return UnknownMethod(f"{what} does not exist", odoo_name=name)
        what = f"model '{quoted.group(1)}'" if quoted else "this model"
        return UnknownModel(f"{what} does not exist", odoo_name=name)
    if name == "builtins.AttributeError" and message.startswith("The method "):
        quoted = _QUOTED.search(message)
        what = f"method '{quoted.group(1)}'" if quoted else "this method"
        return UnknownMethod(f"{what} does not exist", odoo_name=name)
    if name == "builtins.TypeError" and _SIGNATURE.search(message):
        # Python's own words name internals (``BaseModel.read() takes from 1 to 3...``).
        return InvalidParameters(
            "the arguments do not match the method's signature", odoo_name=name
        )
    old = _from_odoo_16(name, message)
    if old is not None:
        return old
    cls = _BY_NAME.get(name)
    if cls is None and name == "psycopg2.OperationalError" and "does not exist" in message:
        return DatabaseNotFound()
    if cls is None:
        # An unexpected server-side exception: its text may name server internals.
        return OdooServerError(f"Odoo failed to process the request ({name or 'unknown error'})")
    return cls(message, odoo_name=name)
