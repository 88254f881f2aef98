"""Nested reads: records with fields of their related records, in one request.

:func:`read_tree` is the one entry point. On Odoo 17+ it is ONE Odoo call,
``web_search_read(domain, specification, ...)``; where that method does not exist
(Odoo 16 and older, known from the server version or from the method's absence)
it is one ``search_read`` and then one batched ``read`` per relation field and
level. Both give the shape documented in :mod:`.shape`.

Related records the user may not read behave as in Odoo: a many2one asking only
``display_name`` is answered (Odoo reads the name with sudo), asking more fails
the whole read with 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import AccessError, UnknownMethod, UpstreamError
from ..odoo.base import Credential
from ..params import FieldTree
from .batched import expand
from .plan import FieldsOf, Level, resolve
from .shape import from_web_read, ordered, specification

__all__ = ["Level", "read_tree", "related_models", "resolve"]

#: the first major version with ``web_search_read(domain, specification, ...)``
WEB_READ_SINCE = 17


class Odoo(Protocol):
    async def server_major(self) -> int: ...

    async def call(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Any: ...


@dataclass(frozen=True, slots=True)
class _Query:
    """Which records a nested read asks for: what both ways of reading them take."""

    domain: list[Any]
    limit: int
    offset: int
    order: str | None
    context: dict[str, Any]


async def read_tree(
    odoo: Odoo,
    fields_of: FieldsOf,
    cred: Credential,
    model: str,
    tree: FieldTree,
    *,
    domain: list[Any],
    limit: int,
    offset: int = 0,
    order: str | None = None,
    context: dict[str, Any],
    check_model: Callable[[str], None] = lambda model: None,
) -> list[dict[str, Any]]:
    """The records of ``model`` matching ``domain``, with the fields of ``tree``.

    ``check_model`` sees every related model whose fields are read (beyond the
    ``display_name`` a flat read shows anyway), before Odoo is asked: the token's
    model scopes apply to them as to ``model`` itself.
    """
    level = await resolve(fields_of, model, tree)
    for related in related_models(level):
        check_model(related)
    query = _Query(domain, limit, offset, order, context)
    if await odoo.server_major() >= WEB_READ_SINCE:
        try:
            return await _web_search_read(odoo, cred, level, query)
        except UnknownMethod:
            pass  # a server (or stand-in) without it: fall back to batched reads
        except AccessError:
            # Odoo reads an x2many's names without sudo and fails the whole call;
            # the batched reads answer such names with ids instead.
            if not _x2many_names(level):
                raise
    return await _batched(odoo, cred, level, query)


def related_models(level: Level) -> set[str]:
    """Models below ``level`` whose fields beyond the record's name are read."""
    out: set[str] = set()
    for f in level.fields:
        if f.sub is not None:
            if not f.sub.display_name_only:
                out.add(f.sub.model)
            out |= related_models(f.sub)
    return out


def _x2many_names(level: Level) -> bool:
    """Does the plan ask only the names of some x2many's records, at any depth?"""
    return any(
        f.sub is not None
        and ((f.kind == "x2many" and f.sub.display_name_only) or _x2many_names(f.sub))
        for f in level.fields
    )


async def _web_search_read(
    odoo: Odoo, cred: Credential, level: Level, query: _Query
) -> list[dict[str, Any]]:
    # Named arguments only: the same call for JSON-RPC's execute_kw and JSON-2.
    kwargs: dict[str, Any] = {
        "domain": query.domain,
        "specification": specification(level),
        "offset": query.offset,
        "limit": query.limit,
        # bounds the count Odoo adds when a page is full (the length is not used)
        "count_limit": query.offset + query.limit + 1,
        "context": query.context,
    }
    if query.order:
        kwargs["order"] = query.order
    reply = await odoo.call(cred, level.model, "web_search_read", [], kwargs)
    records = reply.get("records") if isinstance(reply, dict) else None
    if not isinstance(records, list):
        raise UpstreamError("Odoo's web_search_read reply has no list of records")
    return [from_web_read(level, r) for r in records if isinstance(r, dict)]


async def _batched(
    odoo: Odoo, cred: Credential, level: Level, query: _Query
) -> list[dict[str, Any]]:
    context = query.context
    kwargs: dict[str, Any] = {
        "fields": level.names,
        "offset": query.offset,
        "limit": query.limit,
        "context": context,
    }
    if query.order:
        kwargs["order"] = query.order
    rows = await odoo.call(cred, level.model, "search_read", [query.domain], kwargs)
    if not isinstance(rows, list):
        raise UpstreamError("Odoo's search_read reply is not a list")

    async def read(model: str, ids: list[int], fields: list[str]) -> list[dict[str, Any]]:
        got = await odoo.call(cred, model, "read", [ids], {"fields": fields, "context": context})
        if not isinstance(got, list):
            raise UpstreamError("Odoo's read reply is not a list")
        return [r for r in got if isinstance(r, dict)]

    records = [r for r in rows if isinstance(r, dict)]
    await expand(read, level, records)
    return [ordered(level, r) for r in records]
