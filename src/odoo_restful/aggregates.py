"""Grouped aggregates with one answer shape for every Odoo version.

Odoo 19 has ``formatted_read_group(domain, groupby, aggregates, having, offset,
limit, order)``; older versions have ``read_group(domain, fields, groupby, offset,
limit, orderby, lazy)``, whose keys differ (aggregates under the plain field name,
``<groupby>_count`` or ``__count``, ``__domain``). :func:`read_groups` asks whichever
exists and answers, per group::

    {"partner_id": [9, "Acme"], "date_order:month": ["2026-11-01", "November 2026"],
     "amount_total:sum": 33895.0, "__count": 12, "__domain": [...]}

keys as requested, ``__domain`` the whole domain of the group's records (the
request's domain and the group's own). A date group is ``[start, label]`` where the
version tells the start (``__range`` on read_group), else Odoo's label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .errors import NotImplementedOnVersion, UnknownMethod, UpstreamError
from .odoo.base import Credential
from .params.aggregates import COUNT

#: the first major version with formatted_read_group
FORMATTED_SINCE = 19


class Odoo(Protocol):
    async def server_major(self) -> int: ...

    async def call(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Any: ...


@dataclass(frozen=True)
class GroupQuery:
    domain: list[Any]
    groupby: list[str]
    aggregates: list[str]
    having: list[Any]
    limit: int
    offset: int
    order: str | None


async def read_groups(
    odoo: Odoo, cred: Credential, model: str, q: GroupQuery, *, context: dict[str, Any]
) -> list[dict[str, Any]]:
    major = await odoo.server_major()
    if major >= FORMATTED_SINCE:
        try:
            return await _formatted(odoo, cred, model, q, context)
        except UnknownMethod:
            pass  # a server without it: try read_group
    if q.having:
        raise NotImplementedOnVersion(
            f"having needs formatted_read_group (Odoo {FORMATTED_SINCE}+); this server is "
            f"Odoo {major or 'of an unknown version'}"
        )
    try:
        return await _read_group(odoo, cred, model, q, context)
    except UnknownMethod:
        raise NotImplementedOnVersion(
            f"grouped aggregates need read_group or formatted_read_group; this server "
            f"(Odoo {major or 'of an unknown version'}) has neither for {model}"
        ) from None


def _rows(reply: Any, method: str) -> list[dict[str, Any]]:
    if not isinstance(reply, list):
        raise UpstreamError(f"Odoo's {method} reply is not a list")
    return [r for r in reply if isinstance(r, dict)]


def _and(domain: list[Any], extra: Any) -> list[Any]:
    """Both domains: top-level terms of a domain are ANDed, so a concatenation is."""
    return [*domain, *(extra if isinstance(extra, list) else [])]


async def _formatted(
    odoo: Odoo, cred: Credential, model: str, q: GroupQuery, context: dict[str, Any]
) -> list[dict[str, Any]]:
    # Named arguments: the same call over execute_kw and JSON-2.
    kwargs: dict[str, Any] = {
        "domain": q.domain,
        "groupby": q.groupby,
        "aggregates": q.aggregates,
        "offset": q.offset,
        "limit": q.limit,
        "context": context,
    }
    if q.having:
        kwargs["having"] = q.having
    if q.order:
        kwargs["order"] = q.order
    rows = _rows(
        await odoo.call(cred, model, "formatted_read_group", [], kwargs), "formatted_read_group"
    )
    keys = [*q.groupby, *q.aggregates]
    return [
        {
            **{k: row.get(k, False) for k in keys},
            "__domain": _and(q.domain, row.get("__extra_domain")),
        }
        for row in rows
    ]


def _read_group_names(aggregates: list[str]) -> dict[str, str]:
    """aggregate spec -> read_group's key: the plain field name, or an alias
    (``name:agg(field)``) where one field is aggregated twice."""
    fields = [a.split(":")[0] for a in aggregates if a != COUNT]
    names: dict[str, str] = {}
    for spec in aggregates:
        if spec == COUNT:
            names[spec] = COUNT
            continue
        field, agg = spec.split(":")
        names[spec] = field if fields.count(field) == 1 else f"{field}_{agg}"
    return names


async def _read_group(
    odoo: Odoo, cred: Credential, model: str, q: GroupQuery, context: dict[str, Any]
) -> list[dict[str, Any]]:
    names = _read_group_names(q.aggregates)
    fields = [
        spec
        if names[spec] == spec.split(":")[0]
        else f"{names[spec]}:{spec.split(':')[1]}({spec.split(':')[0]})"
        for spec in q.aggregates
        if spec != COUNT
    ]
    kwargs: dict[str, Any] = {
        "domain": q.domain,
        "fields": fields,
        "groupby": q.groupby,
        "offset": q.offset,
        "limit": q.limit,
        # every groupby at once, as formatted_read_group does; the count is __count
        "lazy": False,
        "context": context,
    }
    if q.order:
        terms = [term.split(" ", 1) for term in q.order.split(", ")]
        kwargs["orderby"] = ", ".join(" ".join([names.get(t[0], t[0]), *t[1:]]) for t in terms)
    rows = _rows(await odoo.call(cred, model, "read_group", [], kwargs), "read_group")
    out: list[dict[str, Any]] = []
    for row in rows:
        ranges = row.get("__range") if isinstance(row.get("__range"), dict) else {}
        group: dict[str, Any] = {}
        for spec in q.groupby:
            value = row.get(spec, False)
            span = ranges.get(spec) if ranges else None
            if ":" in spec and isinstance(span, dict) and value is not False:
                value = [span.get("from"), value]
            group[spec] = value
        for spec in q.aggregates:
            group[spec] = row.get(names[spec], False)
        count = row.get(COUNT)
        if COUNT in q.aggregates and count is None:
            # lazy read_group's key, should a version ignore lazy=False
            count = row.get(f"{q.groupby[0].split(':')[0]}_count", False)
            group[COUNT] = count
        # read_group's __domain already holds the request's domain
        group["__domain"] = row.get("__domain", q.domain)
        out.append(group)
    return out
