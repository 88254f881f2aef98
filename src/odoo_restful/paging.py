"""Stable paging: keyset cursors over any keyable ``order``, and ``Link`` headers.

A cursor holds the order terms' values of the last record of a page plus its id
(``id`` is always the last order term, so the order is total). The next page's
domain is the lexicographic "after" condition built from those values, so records
inserted or deleted between pages are never skipped or repeated.

Cursors are opaque to clients: base64url JSON plus an HMAC under a key derived
from the server secret, bound to the database, user, model, order, domain and
context they were made for. A client cannot forge a domain through one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, unquote_plus

import orjson

from .errors import BadRequest

#: Field types whose SQL order matches their value order, so "after" is a domain.
#: many2one orders by the co-model's own order (not by a value the gateway can see),
#: x2many, binary, html and non-stored fields are not orderable by value.
KEYABLE_TYPES = frozenset(
    {"char", "text", "integer", "float", "monetary", "date", "datetime", "boolean", "selection"}
)
#: Set by Odoo from the transaction's clock with microseconds, read back truncated.
SUBSECOND_FIELDS = frozenset({"create_date", "write_date"})
_MAX_CURSOR_CHARS = 8192
_MAC_BYTES = 16


@dataclass(frozen=True, slots=True)
class Term:
    field: str
    descending: bool
    nulls_last: bool
    boolean: bool = False

    def sql(self) -> str:
        text = f"{self.field} {'desc' if self.descending else 'asc'}"
        # PostgreSQL's default: ASC puts NULLs last, DESC first; say it only if it differs
        if self.nulls_last == self.descending:
            text += " nulls last" if self.nulls_last else " nulls first"
        return text


def order_terms(order: str | None) -> list[Term]:
    """The terms of a normalised ``order`` (``params.parse_order``), ending with ``id``.

    Terms after an ``id`` term cannot change the order, so they are dropped.
    """
    terms: list[Term] = []
    for part in (order or "").split(","):
        words = part.split()
        if not words:
            continue
        descending = len(words) > 1 and words[1] == "desc"
        nulls = words[-1] if len(words) > 2 and words[-2] == "nulls" else None
        nulls_last = nulls == "last" if nulls else not descending
        terms.append(Term(words[0], descending, nulls_last))
        if words[0] == "id":
            return terms
    terms.append(Term("id", False, True))
    return terms


def keyed_terms(terms: Iterable[Term], fields: Mapping[str, Any]) -> list[Term]:
    """``terms`` with their field types known; 400 for a term a cursor cannot key safely."""
    out: list[Term] = []
    for term in terms:
        if term.field == "id":
            out.append(term)
            continue
        meta = fields.get(term.field)
        if not isinstance(meta, Mapping):
            raise BadRequest(f"order: unknown field {term.field!r}")
        ftype = meta.get("type")
        if term.field in SUBSECOND_FIELDS:
            raise BadRequest(
                f"order: cursor paging cannot key on {term.field!r}: Odoo stores it with "
                "microseconds but reads it in whole seconds, so records of one second "
                "could be skipped or repeated; order by another field or page with offset"
            )
        if ftype not in KEYABLE_TYPES or meta.get("store") is False:
            raise BadRequest(
                f"order: cursor paging cannot key on {term.field!r} ({ftype}"
                f"{', not stored' if meta.get('store') is False else ''}); order by stored "
                "fields of plain types (char, number, date, selection, boolean), or page "
                "with offset"
            )
        out.append(replace(term, boolean=ftype == "boolean"))
    return out


def after_domain(terms: list[Term], values: list[Any]) -> list[Any]:
    """The domain of the records strictly after ``values`` in the order ``terms``.

    ``(t1 > v1) or (t1 = v1 and t2 > v2) or ...``, with NULLs (read as False) where
    PostgreSQL puts them: last for ASC, first for DESC unless said otherwise.
    """
    branches: list[list[Any]] = []
    equal: list[list[Any]] = []
    for term, value in zip(terms, values, strict=True):
        strict = _strictly_after(term, value)
        if strict is not None:
            branches.append(_all_of([*equal, strict]))
        equal.append([[term.field, "=", value]])
    if not branches:
        return [["id", "=", 0]]  # nothing can follow (never happens: id ends the order)
    return _any_of(branches)


def _strictly_after(term: Term, value: Any) -> list[Any] | None:
    f = term.field
    if term.boolean:  # Odoo orders booleans as COALESCE(f, false): no NULLs
        if term.descending:
            return [[f, "=", False]] if value else None
        return None if value else [[f, "=", True]]
    if value is False or value is None:
        # every NULL ties; when NULLs come first, every set value follows them
        return None if term.nulls_last else [[f, "!=", False]]
    beyond = [[f, "<" if term.descending else ">", value]]
    if term.nulls_last:
        return _any_of([beyond, [[f, "=", False]]])
    return beyond


def _all_of(parts: list[list[Any]]) -> list[Any]:
    out: list[Any] = ["&"] * (len(parts) - 1)
    for part in parts:
        out.extend(part)
    return out


def _any_of(parts: list[list[Any]]) -> list[Any]:
    out: list[Any] = ["|"] * (len(parts) - 1)
    for part in parts:
        out.extend(part)
    return out


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Cursors:
    """Seals cursors with a key derived from the current server secret, and opens those
    sealed under any secret the gateway still holds: a feed client's ``since`` cursor,
    kept for days, survives ``secret rotate`` as the tokens do."""

    def __init__(self, *server_secrets: bytes) -> None:
        if not server_secrets:
            raise ValueError("a server secret is required")
        self._keys = [
            hmac.new(s, b"odoo-restful cursor v1", hashlib.sha256).digest() for s in server_secrets
        ]

    @staticmethod
    def binding(*parts: Any) -> str:
        """What a cursor is valid for (db, uid, model, order, domain, context), hashed."""
        data = orjson.dumps(list(parts), option=orjson.OPT_SORT_KEYS)
        return _b64(hashlib.sha256(data).digest()[:12])

    @staticmethod
    def _mac(key: bytes, payload: bytes) -> bytes:
        return hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def seal(self, binding: str, values: list[Any]) -> str:
        payload = orjson.dumps({"b": binding, "k": values})
        return f"{_b64(payload)}.{_b64(self._mac(self._keys[0], payload))}"

    def open(self, cursor: Any, binding: str, width: int, *, param: str = "after") -> list[Any]:
        """The key values in ``cursor``; 400 (naming ``param``) when it is not one of ours
        for this query."""
        if not isinstance(cursor, str) or len(cursor) > _MAX_CURSOR_CHARS:
            raise BadRequest(f"{param}: not a cursor from this gateway")
        body, _, mac = cursor.strip().partition(".")
        try:
            payload, tag = _unb64(body), _unb64(mac)
        except ValueError as exc:
            raise BadRequest(f"{param}: not a cursor from this gateway") from exc
        if not any(hmac.compare_digest(tag, self._mac(key, payload)) for key in self._keys):
            raise BadRequest(
                f"{param}: not a cursor from this gateway (or made under a former key)"
            )
        data = orjson.loads(payload)
        if data.get("b") != binding:
            raise BadRequest(
                f"{param}: this cursor was made for another query: keep the model, domain, "
                "order and context of the page it came from"
            )
        values = data.get("k")
        if not isinstance(values, list) or len(values) != width:
            raise BadRequest(f"{param}: not a cursor from this gateway")
        return values


def _name(raw: str) -> str:
    """A query parameter's decoded name (most need no decoding)."""
    return unquote_plus(raw) if "%" in raw or "+" in raw else raw


def link_header(
    base: str, query: str, rels: Mapping[str, Mapping[str, str]], *, drop: Collection[str] = ()
) -> str:
    """``Link: <url>; rel="next", ...``: the raw ``query`` string with each rel's
    parameters replacing theirs (an empty value drops the parameter) and ``drop``
    names left out. Parts are kept as sent: only their names are decoded."""
    parts = [(_name(part.partition("=")[0]), part) for part in query.split("&") if part]
    parts = [(name, part) for name, part in parts if name not in drop]
    links = []
    for rel, changes in rels.items():
        kept = [part for name, part in parts if name not in changes]
        kept.extend(f"{k}={quote(v, safe='')}" for k, v in changes.items() if v != "")
        url = f"{base}?{'&'.join(kept)}" if kept else base
        links.append(f'<{url}>; rel="{rel}"')
    return ", ".join(links)
