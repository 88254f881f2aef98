"""Request parameter parsing: the one place where client input becomes plain Python.

Route handlers hand over plain values (bytes, strings, mappings: no Starlette
objects) and get back validated data or an :class:`errors.BadRequest` naming the
parameter. Nothing else may escape: parsing errors, ``RecursionError`` and
``MemoryError`` from hostile input are all turned into 400s here, so a handler
never has to guard against them.

The seed (the Odoo 12 ``restful`` module) sends Python-literal strings for
domains, field lists and x2many commands. They are read with
``ast.literal_eval`` after a size cap and checked to be plain data; code is never
evaluated. JSON is always accepted as well and is tried first.
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qsl

import orjson

from .errors import BadRequest, MethodForbidden

__all__ = [
    "DEFAULT_METHOD_DENY",
    "DOMAIN_OPERATORS",
    "Body",
    "check_method_name",
    "decode_body",
    "is_field_name",
    "merge_sources",
    "parse_args_kwargs",
    "parse_context",
    "parse_domain",
    "parse_fields",
    "parse_id",
    "parse_ids",
    "parse_int",
    "parse_limit_offset",
    "parse_literal",
    "parse_model_name",
    "parse_order",
    "short_repr",
    "to_plain_data",
]

# --- limits ------------------------------------------------------------------

MAX_LITERAL_CHARS: Final = 8192
MAX_DEPTH: Final = 32
MAX_NODES: Final = 10_000
MAX_FIELDS: Final = 1000
MAX_IDS: Final = 1000
MAX_PATH_CHARS: Final = 256
MAX_ORDER_CHARS: Final = 1024
MAX_ORDER_TERMS: Final = 32
MAX_CONTEXT_KEYS: Final = 64
MAX_FORM_FIELDS: Final = 1000
MAX_METHOD_CHARS: Final = 128
MAX_MODEL_CHARS: Final = 128
MAX_ARGS_CHARS: Final = 32_768
# Odoo ids are PostgreSQL ``serial`` (int4) columns.
MAX_RECORD_ID: Final = 2**31 - 1
MAX_OFFSET: Final = 2**31 - 1
# orjson (used to talk to Odoo) cannot encode integers outside 64 bits.
_INT_MIN: Final = -(2**63)
_INT_MAX: Final = 2**64 - 1

# --- patterns (all used with fullmatch; ASCII only) ----------------------------

_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
_FIELD_NAME_RE: Final = re.compile(_NAME, re.ASCII)
_FIELD_PATH_RE: Final = re.compile(rf"{_NAME}(?:\.{_NAME})*", re.ASCII)
_METHOD_RE: Final = re.compile(r"[a-zA-Z][a-zA-Z0-9_]*", re.ASCII)
_MODEL_RE: Final = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*", re.ASCII)
_INT_RE: Final = re.compile(r"[+-]?[0-9]{1,19}", re.ASCII)
_ID_RE: Final = re.compile(r"[0-9]{1,10}", re.ASCII)
_ORDER_TERM_RE: Final = re.compile(
    rf"(?P<field>{_NAME}(?:\.{_NAME})?)"
    r"(?:\s+(?P<direction>asc|desc))?"
    r"(?:\s+nulls\s+(?P<nulls>first|last))?",
    re.ASCII | re.IGNORECASE,
)

#: Operators of Odoo's domain language (12 to 19). ``any!``/``not any!`` (Odoo 18+)
#: are left out on purpose: they run their sub-query without access rights.
DOMAIN_OPERATORS: Final = frozenset(
    {
        "=",
        "!=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "=?",
        "=like",
        "=ilike",
        "like",
        "not like",
        "ilike",
        "not ilike",
        "not =like",
        "not =ilike",
        "in",
        "not in",
        "child_of",
        "parent_of",
        "any",
        "not any",
    }
)
_DOMAIN_SUBDOMAIN_OPERATORS: Final = frozenset({"any", "not any"})
_DOMAIN_LOGIC_ARITY: Final = {"&": 2, "|": 2, "!": 1}
_TRUE_LEAF: Final = [1, "=", 1]
_FALSE_LEAF: Final = [0, "=", 1]

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

_SCALAR_TYPES: Final = (str, int, float, type(None))


def short_repr(value: Any, limit: int = 60) -> str:
    """A short repr for error messages, so that a huge input is never echoed back."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_field_name(name: Any) -> bool:
    """True for an Odoo field (or argument, context key) name: an ASCII identifier."""
    return (
        isinstance(name, str)
        and len(name) <= MAX_PATH_CHARS
        and bool(_FIELD_NAME_RE.fullmatch(name))
    )


def _is_int(value: Any) -> bool:
    """True for real integers: ``bool`` is an ``int`` subclass but never an id or a count."""
    return isinstance(value, int) and not isinstance(value, bool)


# --- plain data -------------------------------------------------------------------


def to_plain_data(
    value: Any,
    *,
    what: str,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> Any:
    """Copy ``value`` as JSON-like data (tuples become lists), or raise BadRequest.

    Only None, bool, int (64-bit), finite float, str, list/tuple and mappings with
    string keys are allowed, so that whatever comes out can be sent to Odoo as
    JSON. Iterative, so depth is limited by ``max_depth`` and not by the stack.
    """
    nodes = 0
    pending: list[tuple[Any, list[Any] | dict[str, Any], int]] = []

    def convert(item: Any, level: int) -> Any:
        nonlocal nodes
        nodes += 1
        if nodes > max_nodes:
            raise BadRequest(f"{what} is too large (more than {max_nodes} values)")
        if item is None or isinstance(item, bool):
            return item
        if isinstance(item, str):
            return _check_text(item, what)
        if isinstance(item, int):
            if not _INT_MIN <= item <= _INT_MAX:
                raise BadRequest(f"{what}: integer out of range")
            return int(item)
        if isinstance(item, float):
            if not math.isfinite(item):
                raise BadRequest(f"{what}: numbers must be finite")
            return float(item)
        if isinstance(item, (list, tuple, Mapping)):
            if level + 1 > max_depth:
                raise BadRequest(f"{what} is nested too deeply (max {max_depth} levels)")
            out: list[Any] | dict[str, Any] = {} if isinstance(item, Mapping) else []
            pending.append((item, out, level + 1))
            return out
        raise BadRequest(
            f"{what}: values of type {type(item).__name__} are not allowed "
            "(only null, booleans, numbers, strings, lists and objects)"
        )

    result = convert(value, 0)
    while pending:
        source, target, level = pending.pop()
        if isinstance(target, list):
            for child in source:
                target.append(convert(child, level))
        else:
            for key, child in source.items():
                if not isinstance(key, str):
                    raise BadRequest(f"{what}: object keys must be strings, got {short_repr(key)}")
                target[_check_text(key, what)] = convert(child, level)
    return result


def _check_text(text: str, what: str) -> str:
    """Refuse strings that cannot be sent on as UTF-8 (lone surrogates from a literal)."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest(f"{what}: strings must be valid Unicode text") from None
    return str(text)


def _check_depth(value: Any, *, what: str, max_depth: int) -> None:
    """Raise BadRequest when JSON ``value`` nests deeper than ``max_depth`` (no copy)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if level > max_depth:
            raise BadRequest(f"{what} is nested too deeply (max {max_depth} levels)")
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))


# --- body and sources ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Body:
    """A decoded request body.

    ``fields`` holds a JSON object or a form's fields; ``items`` holds a top-level
    JSON array (e.g. a list of records to create) and is None otherwise, so that a
    caller can tell ``[]`` from "no array at all".
    """

    fields: dict[str, Any] = field(default_factory=dict)
    items: list[Any] | None = None


def _media_type(content_type: str | None) -> str:
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()


def decode_body(
    raw: bytes,
    content_type: str | None,
    *,
    max_depth: int = MAX_DEPTH,
    max_form_fields: int = MAX_FORM_FIELDS,
) -> Body:
    """Decode a request body by what it contains rather than by its content type.

    The seed sends JSON under ``application/x-www-form-urlencoded`` and form bodies
    on GET, so: an empty body gives an empty Body; a body starting with ``{`` or
    ``[`` (or labelled JSON) must be JSON; anything else must be form-encoded.
    In a form, a repeated key keeps its last value (as Starlette's query mapping
    does), and every value is a string. Multipart bodies are refused.
    """
    stripped = raw.strip()
    if not stripped:
        return Body()
    media = _media_type(content_type)
    if media.startswith("multipart/"):
        raise BadRequest(
            "multipart bodies are not supported: send JSON or application/x-www-form-urlencoded"
        )
    is_json_media = media == "application/json" or media.endswith("+json")
    if stripped[:1] in (b"{", b"[") or is_json_media:
        try:
            data = orjson.loads(stripped)
        except orjson.JSONDecodeError as exc:
            raise BadRequest(f"body is not valid JSON: {str(exc)[:200]}") from None
        _check_depth(data, what="body", max_depth=max_depth)
        if isinstance(data, dict):
            return Body(fields=data)
        if isinstance(data, list):
            return Body(items=data)
        raise BadRequest("JSON body must be an object or an array")
    try:
        text = stripped.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("body is not valid UTF-8") from None
    if text.count("&") >= max_form_fields:
        raise BadRequest(f"form body has too many fields (max {max_form_fields})")
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=True,
            encoding="utf-8",
            errors="strict",
        )
    except ValueError:
        raise BadRequest(
            "body is neither JSON nor a form (application/x-www-form-urlencoded)"
        ) from None
    return Body(fields=dict(pairs))


def merge_sources(
    query: Mapping[str, str],
    body: Body,
    headers: Mapping[str, str] | None = None,
    header_names: Iterable[str] = (),
) -> dict[str, Any]:
    """One parameter mapping from the places the seed lets a client use.

    Precedence, lowest first: the listed headers, then the query string, then the
    body's fields (the body is the most deliberate source and the one the seed
    uses). A header is looked up case-insensitively and stored under its name
    lower-cased with ``-`` turned into ``_`` (``access-token`` -> ``access_token``),
    so it meets the same parameter sent in the query or body. A top-level JSON
    array (``body.items``) is not merged.
    """
    merged: dict[str, Any] = {}
    names = list(header_names)
    if headers is not None and names:
        lowered = {key.lower(): value for key, value in headers.items()}
        for name in names:
            value = lowered.get(name.lower())
            if value is not None:
                merged[name.lower().replace("-", "_")] = value
    merged.update(query)
    merged.update(body.fields)
    return merged


# --- literals -----------------------------------------------------------------------


def parse_literal(
    text: str,
    *,
    what: str,
    max_chars: int = MAX_LITERAL_CHARS,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> Any:
    """Read a JSON or Python-literal string as plain data; never evaluates code.

    The size cap comes first so that the parser never sees a large input. JSON is
    tried first (it is what most clients send); Python literals
    (``"[('id', '>', '10')]"``) go through ``ast.literal_eval``, whose failures on
    hostile input (deep nesting, huge numbers) are all turned into BadRequest.
    """
    if not isinstance(text, str):
        raise BadRequest(f"{what} must be a string")
    if len(text) > max_chars:
        raise BadRequest(f"{what} is too long ({len(text)} characters, max {max_chars})")
    source = text.strip()
    if not source:
        raise BadRequest(f"{what} is empty")
    try:
        value = orjson.loads(source)
    except orjson.JSONDecodeError:
        value = _literal_eval(source, what)
    return to_plain_data(value, what=what, max_depth=max_depth, max_nodes=max_nodes)


def _literal_eval(source: str, what: str) -> Any:
    try:
        # Invalid escapes ('\L') warn at compile time: client-triggered log noise, and
        # an error where warnings are errors. They are read as Python reads them today.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.literal_eval(source)
    except SyntaxError as exc:
        reason = short_repr(exc.msg, 80).strip("'\"")
        raise BadRequest(f"{what} is not a valid literal: {reason}") from None
    except (ValueError, TypeError):
        raise BadRequest(
            f"{what} may only contain literals (strings, numbers, True, False, None, "
            "lists, tuples and dicts)"
        ) from None
    except (MemoryError, RecursionError):
        raise BadRequest(f"{what} is nested too deeply") from None


def _literal_or_value(value: Any, *, what: str, max_chars: int = MAX_LITERAL_CHARS) -> Any:
    """A string is read as a literal; anything else is copied as plain data."""
    if isinstance(value, str):
        return parse_literal(value, what=what, max_chars=max_chars)
    return to_plain_data(value, what=what)


# --- domains ------------------------------------------------------------------------


def parse_domain(value: Any, *, max_terms: int = 256) -> list[Any]:
    """Validate a search domain and return it with lists for tuples.

    Accepts a JSON list or a literal string; None and "" mean no filter. Checks the
    structure only (leaves, operators, field paths, prefix-operator arity) and
    keeps leaf values as given: Odoo coerces them to the field types itself.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if isinstance(value, str):
        data = parse_literal(value, what="domain")
    elif isinstance(value, (list, tuple)):
        data = to_plain_data(value, what="domain")
    else:
        raise BadRequest("domain must be a list of conditions")
    if not isinstance(data, list):
        raise BadRequest("domain must be a list of conditions")
    budget = [max_terms]
    return _check_domain(data, where="domain", budget=budget)


def _check_domain(domain: list[Any], *, where: str, budget: list[int]) -> list[Any]:
    if (
        len(domain) == 3
        and isinstance(domain[0], str)
        and domain[0] not in _DOMAIN_LOGIC_ARITY
        and isinstance(domain[1], str)
        and domain[1].lower() in DOMAIN_OPERATORS
    ):
        raise BadRequest(
            f"{where} must be a list of conditions: wrap the condition in a list, "
            f"e.g. [{short_repr(domain)}]"
        )
    budget[0] -= len(domain)
    if budget[0] < 0:
        raise BadRequest(f"{where} has too many terms")
    out: list[Any] = []
    for index, item in enumerate(domain):
        if isinstance(item, str):
            if item not in _DOMAIN_LOGIC_ARITY:
                raise BadRequest(
                    f"{where} item {index}: expected a condition or '&', '|', '!', "
                    f"got {short_repr(item)}"
                )
            out.append(item)
        elif isinstance(item, list):
            out.append(_check_leaf(item, where=f"{where} item {index}", budget=budget))
        else:
            raise BadRequest(
                f"{where} item {index}: expected a condition [field, operator, value] "
                f"or '&', '|', '!', got {short_repr(item)}"
            )
    # Polish notation, read right to left: each operator needs enough terms after it.
    available = 0
    for index in range(len(out) - 1, -1, -1):
        item = out[index]
        if isinstance(item, str):
            arity = _DOMAIN_LOGIC_ARITY[item]
            if available < arity:
                raise BadRequest(
                    f"{where} item {index}: operator {item!r} needs {arity} "
                    f"term{'s' if arity > 1 else ''} after it"
                )
            available -= arity - 1
        else:
            available += 1
    return out


def _check_leaf(leaf: list[Any], *, where: str, budget: list[int]) -> list[Any]:
    if len(leaf) != 3:
        raise BadRequest(
            f"{where}: a condition needs 3 items [field, operator, value], got {len(leaf)}"
        )
    path, operator, value = leaf
    if _is_int(path):
        if leaf in (_TRUE_LEAF, _FALSE_LEAF) and _is_int(value) and operator == "=":
            return list(leaf)
        raise BadRequest(f"{where}: invalid field path {short_repr(path)}")
    if (
        not isinstance(path, str)
        or len(path) > MAX_PATH_CHARS
        or not _FIELD_PATH_RE.fullmatch(path)
    ):
        raise BadRequest(f"{where}: invalid field path {short_repr(path)}")
    if not isinstance(operator, str) or operator.lower() not in DOMAIN_OPERATORS:
        raise BadRequest(f"{where}: unknown operator {short_repr(operator)}")
    operator = operator.lower()
    if operator in _DOMAIN_SUBDOMAIN_OPERATORS:
        if not isinstance(value, list):
            raise BadRequest(f"{where}: the value of {operator!r} must be a domain (a list)")
        value = _check_domain(value, where=f"{where} ({operator!r} sub-domain)", budget=budget)
    elif isinstance(value, list):
        for element in value:
            if not isinstance(element, _SCALAR_TYPES):
                raise BadRequest(f"{where}: list values may only hold plain values")
    elif not isinstance(value, _SCALAR_TYPES):
        raise BadRequest(f"{where}: the value must be a plain value or a list of them")
    return [path, operator, value]


# --- fields, order ------------------------------------------------------------------


def parse_fields(value: Any, *, max_fields: int = MAX_FIELDS) -> list[str] | None:
    """Validate a field list; None means "all fields" (as an empty list does in Odoo).

    Accepts a JSON list, a literal string (``"['id', 'name']"``) or ``id,name``.
    Dotted names are refused: Odoo's ``read`` does not take them.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text[0] in "[(":
            items = parse_literal(text, what="fields", max_chars=max_fields * 64)
        else:
            if len(text) > max_fields * 64:
                raise BadRequest("fields is too long")
            items = [part.strip() for part in text.split(",")]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise BadRequest("fields must be a list of field names")
    if not isinstance(items, list):
        raise BadRequest("fields must be a list of field names")
    if len(items) > max_fields:
        raise BadRequest(f"fields has too many names (max {max_fields})")
    names: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str) or not item:
            raise BadRequest(f"fields: invalid field name {short_repr(item)}")
        if len(item) > MAX_PATH_CHARS or not _FIELD_NAME_RE.fullmatch(item):
            if _FIELD_PATH_RE.fullmatch(item) and len(item) <= MAX_PATH_CHARS:
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
        match = _ORDER_TERM_RE.fullmatch(part.strip())
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


# --- numbers and ids ----------------------------------------------------------------


def parse_int(
    value: Any,
    *,
    name: str,
    minimum: int = 0,
    maximum: int | None = None,
    default: int | None = None,
) -> int | None:
    """An integer from an int or a decimal string; None or "" give ``default``.

    Booleans and floats are refused: ``true`` as a limit is a client bug.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if _is_int(value):
        number = int(value)
    elif isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise BadRequest(f"{name} must be an integer, got {short_repr(value)}")
    if number < minimum:
        raise BadRequest(f"{name} must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise BadRequest(f"{name} must be at most {maximum}")
    return number


def parse_limit_offset(
    limit: Any,
    offset: Any,
    *,
    default_limit: int = 80,
    max_limit: int = 1000,
) -> tuple[int, int]:
    """Page size and start; bounded, never silently changed.

    A limit above ``max_limit`` is a 400 rather than clamped, so that a client never
    mistakes a short page for the end of the data. ``limit=0`` (Odoo's "no limit")
    is refused for the same reason: unbounded reads are not offered.
    """
    number = parse_int(limit, name="limit", minimum=0, default=default_limit)
    assert number is not None
    if number == 0:
        raise BadRequest(
            f"limit must be between 1 and {max_limit} (0, 'no limit' in Odoo, is not "
            "allowed: page with offset instead)"
        )
    if number > max_limit:
        raise BadRequest(f"limit must be at most {max_limit}")
    start = parse_int(offset, name="offset", minimum=0, maximum=MAX_OFFSET, default=0)
    assert start is not None
    return number, start


def _record_id(value: Any, *, name: str) -> int:
    if not (_is_int(value) or (isinstance(value, str) and _ID_RE.fullmatch(value))):
        raise BadRequest(f"{name} must be a positive integer, got {short_repr(value)}")
    number = int(value)
    if not 1 <= number <= MAX_RECORD_ID:
        raise BadRequest(f"{name} must be a positive integer (1 to {MAX_RECORD_ID})")
    return number


def parse_id(text: str) -> int:
    """A record id from a URL path segment; BadRequest lets the route pick 400 or 404."""
    if isinstance(text, str) or _is_int(text):
        return _record_id(text, name="id")
    raise BadRequest("id must be a positive integer")


def parse_ids(value: Any, *, name: str = "ids", max_ids: int = MAX_IDS) -> list[int]:
    """Record ids from ``1,2,3``, a JSON/literal list or a single int; duplicates dropped."""
    if value is None:
        return []
    if _is_int(value):
        return [_record_id(value, name=name)]
    items: Any
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        if text[0] in "[(":
            items = parse_literal(text, what=name, max_chars=max_ids * 16)
            if not isinstance(items, list):
                raise BadRequest(f"{name} must be a list of integers")
            if any(not _is_int(item) for item in items):
                raise BadRequest(f"{name} must be a list of integers")
        else:
            if len(text) > max_ids * 16:
                raise BadRequest(f"{name} is too long")
            items = [part.strip() for part in text.split(",")]
    elif isinstance(value, (list, tuple)):
        items = list(value)
        if any(not _is_int(item) for item in items):
            raise BadRequest(f"{name} must be a list of integers")
    else:
        raise BadRequest(f"{name} must be a list of integers")
    if len(items) > max_ids:
        raise BadRequest(f"{name}: too many ids (max {max_ids})")
    ids = {_record_id(item, name=f"{name} item"): None for item in items}
    return list(ids)


# --- context, method calls, names ---------------------------------------------------


def parse_context(value: Any) -> dict[str, Any]:
    """An Odoo context from a JSON object or a literal string; keys must be names.

    Only its shape is checked: Odoo applies access rights whatever the context
    says (``allowed_company_ids`` is checked against the user's companies).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, str):
        data = parse_literal(value, what="context", max_depth=8, max_nodes=1000)
    elif isinstance(value, Mapping):
        data = to_plain_data(value, what="context", max_depth=8, max_nodes=1000)
    else:
        raise BadRequest("context must be an object")
    if not isinstance(data, dict):
        raise BadRequest("context must be an object")
    if len(data) > MAX_CONTEXT_KEYS:
        raise BadRequest(f"context has too many keys (max {MAX_CONTEXT_KEYS})")
    for key in data:
        if not is_field_name(key):
            raise BadRequest(f"context: invalid key {short_repr(key)}")
    return data


def parse_args_kwargs(args: Any, kwargs: Any) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments of a method call, as plain data.

    Each accepts JSON or a literal string; keyword names must be identifiers, and a
    ``context`` keyword is checked as a context.
    """
    if args is None or (isinstance(args, str) and not args.strip()):
        arg_list: Any = []
    else:
        arg_list = _literal_or_value(args, what="args", max_chars=MAX_ARGS_CHARS)
    if not isinstance(arg_list, list):
        raise BadRequest("args must be a list")
    if kwargs is None or (isinstance(kwargs, str) and not kwargs.strip()):
        kwarg_map: Any = {}
    else:
        kwarg_map = _literal_or_value(kwargs, what="kwargs", max_chars=MAX_ARGS_CHARS)
    if not isinstance(kwarg_map, dict):
        raise BadRequest("kwargs must be an object")
    for key in kwarg_map:
        if not is_field_name(key):
            raise BadRequest(f"kwargs: invalid argument name {short_repr(key)}")
    if "context" in kwarg_map:
        kwarg_map["context"] = parse_context(kwarg_map["context"])
    return arg_list, kwarg_map


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
    if len(name) > MAX_METHOD_CHARS or not _METHOD_RE.fullmatch(name):
        raise BadRequest(f"invalid method name {short_repr(name)}")
    if name in deny:
        raise MethodForbidden(f"method {name!r} cannot be called through this API")
    if allow is not None and name not in allow:
        raise MethodForbidden(f"method {name!r} is not in the allowed methods")


def parse_model_name(name: str) -> str:
    """Check the shape of a model name; Odoo then says whether the model exists."""
    if not isinstance(name, str) or len(name) > MAX_MODEL_CHARS or not _MODEL_RE.fullmatch(name):
        raise BadRequest(f"invalid model name {short_repr(name)}")
    return name
