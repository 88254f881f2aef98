"""Names a client picks: field lists, sort orders, model names and callable methods."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Final

from ..errors import BadRequest, MethodForbidden
from .limits import (
    FIELD_NAME_RE,
    FIELD_PATH_RE,
    MAX_FIELDS,
    MAX_METHOD_CHARS,
    MAX_MODEL_CHARS,
    MAX_ORDER_CHARS,
    MAX_ORDER_TERMS,
    MAX_PATH_CHARS,
    METHOD_RE,
    MODEL_RE,
    ORDER_TERM_RE,
)
from .lists import list_items
from .literal import short_repr

#: Public ORM methods that the generic method-call route refuses by default.
#: Odoo still checks access rights on everything else; these are refused because
#: they are useless or harmful over a REST gateway:
#: - environment switchers (``sudo``, ``with_user``...): nothing to gain over RPC,
#:   and a gateway should never look like it offers privilege changes;
#: - cache/flush/recompute plumbing and the ``init`` install hook: internal state;
#: - ``create``, ``write``, ``unlink``: they have their own routes, where the
#:   x2many value translation, batch caps and read-only scopes apply;
#: - ``load``: bulk import that creates external ids and bypasses the batch caps.
#: Read-only methods (``read``, ``search_read``, ``fields_get``...) stay callable.
DEFAULT_METHOD_DENY: Final[frozenset[str]] = frozenset(
    {
        "sudo",
        "with_user",
        "with_env",
        "with_context",
        "with_company",
        "with_prefetch",
        "browse",
        "env",
        "init",
        "invalidate_cache",
        "invalidate_model",
        "invalidate_recordset",
        "invalidate_all",
        "clear_caches",
        "flush",
        "flush_model",
        "flush_recordset",
        "modified",
        "modified_draft",
        "recompute",
        "refresh",
        "create",
        "write",
        "unlink",
        "load",
    }
)


# --- fields, order ------------------------------------------------------------------


def parse_fields(value: Any, *, max_fields: int = MAX_FIELDS) -> list[str] | None:
    """Validate a field list; None means "all fields" (as an empty list does in Odoo).

    Accepts a JSON list, a literal string (``"['id', 'name']"``) or ``id,name``.
    Dotted names are refused: Odoo's ``read`` does not take them. ``*`` alone
    (``["*"]``) asks for every readable field, binaries included.
    """
    if value == "*" or value == ["*"]:
        return ["*"]
    items = list_items(
        value, what="fields", max_items=max_fields, max_chars=max_fields * 64, noun="field names"
    )
    if items is None:
        return None
    names: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str) or not item:
            raise BadRequest(f"fields: invalid field name {short_repr(item)}")
        if len(item) > MAX_PATH_CHARS or not FIELD_NAME_RE.fullmatch(item):
            if FIELD_PATH_RE.fullmatch(item) and len(item) <= MAX_PATH_CHARS:
                raise BadRequest(f"fields: dotted names are not supported ({short_repr(item)})")
            raise BadRequest(f"fields: invalid field name {short_repr(item)}")
        names[item] = None
    return list(names) or None


def parse_order(value: Any) -> str | None:
    """Validate an ORDER BY specification and return it normalised.

    Each term is ``field [asc|desc] [nulls first|nulls last]``. The string reaches
    Odoo's SQL ORDER BY builder, so nothing beyond that grammar gets through.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest("order must be a string such as 'name desc, id'")
    text = value.strip()
    if not text:
        return None
    if len(text) > MAX_ORDER_CHARS:
        raise BadRequest(f"order is too long (max {MAX_ORDER_CHARS} characters)")
    parts = text.split(",")
    if len(parts) > MAX_ORDER_TERMS:
        raise BadRequest(f"order has too many terms (max {MAX_ORDER_TERMS})")
    terms: list[str] = []
    for part in parts:
        match = ORDER_TERM_RE.fullmatch(part.strip())
        if match is None:
            raise BadRequest(
                f"order: invalid term {short_repr(part.strip())}; expected "
                "'field [asc|desc] [nulls first|nulls last]'"
            )
        term = match["field"]
        if match["direction"]:
            term += " " + match["direction"].lower()
        if match["nulls"]:
            term += " nulls " + match["nulls"].lower()
        terms.append(term)
    return ", ".join(terms)


# --- method and model names ---------------------------------------------------------


def check_method_name(
    name: str,
    *,
    deny: Collection[str] = DEFAULT_METHOD_DENY,
    allow: Collection[str] | None = None,
) -> None:
    """Refuse private, malformed, denied or (with an allow-list) unlisted method names.

    Private names are refused before Odoo sees them (as JSON-2's
    ``get_public_method`` does), so a typo never reaches an internal method.
    """
    if not isinstance(name, str) or not name:
        raise BadRequest("method name is missing")
    if name.startswith("_"):
        raise MethodForbidden("private methods cannot be called")
    if len(name) > MAX_METHOD_CHARS or not METHOD_RE.fullmatch(name):
        raise BadRequest(f"invalid method name {short_repr(name)}")
    if name in deny:
        raise MethodForbidden(f"method {name!r} cannot be called through this API")
    if allow is not None and name not in allow:
        raise MethodForbidden(f"method {name!r} is not in the allowed methods")


def parse_names(
    value: Any, *, what: str, check: Callable[[str], object], max_items: int = 1000
) -> tuple[str, ...] | None:
    """A list of names (models, methods): ``a,b`` or a JSON/literal list, each checked."""
    items = list_items(value, what=what, max_items=max_items, max_chars=max_items * 128)
    if items is None:
        return None
    names: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise BadRequest(f"{what} must be a list of names")
        check(item.strip())
        names[item.strip()] = None
    return tuple(names)


def parse_model_name(name: str) -> str:
    """Check the shape of a model name; Odoo then says whether the model exists."""
    if not isinstance(name, str) or len(name) > MAX_MODEL_CHARS or not MODEL_RE.fullmatch(name):
        raise BadRequest(f"invalid model name {short_repr(name)}")
    return name
