"""Aggregates: ``formatted_read_group``, ``web_read_group`` (Odoo 19), the legacy ``read_group``.

Groups are computed in memory over the records the user may read (record rules
apply, as they do to Odoo's SQL). Facts followed, from the recordings and
Odoo's documented behaviour:

* a group's value is the raw value, ``[id, display_name]`` for a many2one, and
  for ``date``/``datetime`` granularities ``[start, label]`` (``"2026-11-01"`` /
  ``"November 2026"``; a datetime start is ``"YYYY-MM-DD HH:MM:SS"`` in UTC, the
  label in the context's ``tz``); weeks start on Sunday (en_US), ``W5 2022``;
* ``__extra_domain`` selects the group (``[(f, "=", v)]``, a date range
  ``["&", (f, ">=", a), (f, "<", b)]``; several groupbys are ANDed);
* groups are ordered by their values (a many2one by its co-model's order, empty
  values last), unless ``order`` names a groupby or an aggregate;
* the legacy ``read_group`` puts aggregates under the plain field name, counts
  under ``<groupby>_count`` (lazy) or ``__count``, and ANDs the call's domain
  into ``__domain``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .fields import X2MANY, Field

if TYPE_CHECKING:
    from .orm import BaseModel

GRANULARITIES = ("day", "week", "month", "quarter", "year")
AGGREGATORS = frozenset(
    {"sum", "avg", "min", "max", "count", "count_distinct", "array_agg", "bool_and", "bool_or"}
)
_NUMERIC = frozenset({"integer", "float", "monetary"})
_GROUPBY = re.compile(r"^([a-z_][a-z0-9_]*)(?::([a-z_]+))?$")
_AGGREGATE = re.compile(r"^([a-z_][a-z0-9_]*):([a-z_]+)$")
_ORDER_TERM = re.compile(r"^\s*([a-z_][a-z0-9_]*(?::[a-z_]+)?)(?:\s+(asc|desc))?\s*$", re.I)
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class GroupBy:
    spec: str
    field: Field
    granularity: str | None


@dataclass(frozen=True)
class Aggregate:
    spec: str
    field: str
    func: str


def _parse_groupby(model: BaseModel, spec: Any, *, default_granularity: str | None) -> GroupBy:
    match = _GROUPBY.match(spec) if isinstance(spec, str) else None
    if match is None:
        raise ValueError(f"Invalid groupby {spec!r} on model {model._name!r}")
    name, granularity = match.groups()
    fld = model.fields().get(name)
    if fld is None:
        raise ValueError(f"Invalid field {name!r} on model {model._name!r}")
    if fld.type in ("date", "datetime"):
        granularity = granularity or default_granularity
        if granularity not in GRANULARITIES:
            raise ValueError(f"Invalid granularity {granularity!r} for {spec!r}")
    elif granularity:
        raise ValueError(f"Granularity set on a no-datetime field or property: {spec!r}")
    if fld.type in X2MANY and fld.type != "many2many":
        raise ValueError(f"Unable to group by a one2many field: {spec!r}")
    return GroupBy(spec, fld, granularity)


def _parse_aggregate(model: BaseModel, spec: Any) -> Aggregate:
    if spec == "__count":
        return Aggregate(spec, "id", "__count")
    match = _AGGREGATE.match(spec) if isinstance(spec, str) else None
    if match is None:
        raise ValueError(f"Invalid aggregate {spec!r} on model {model._name!r}")
    name, func = match.groups()
    if name not in model.fields():
        raise ValueError(f"Invalid field {name!r} on model {model._name!r} for {spec!r}.")
    if func not in AGGREGATORS:
        raise ValueError(f"Invalid aggregation function {func!r}.")
    return Aggregate(spec, name, func)


# --- dates ---------------------------------------------------------------------------


def _tz(model: BaseModel) -> ZoneInfo | None:
    name = model.env.context.get("tz")
    if not isinstance(name, str) or name in ("", "UTC"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _period(day: date, granularity: str) -> tuple[date, date, str]:
    """Start, end (exclusive) and en_US label of the period holding ``day``."""
    if granularity == "day":
        return (
            day,
            day + timedelta(days=1),
            f"{day.day:02d} {_MONTHS[day.month - 1][:3]} {day.year}",
        )
    if granularity == "week":
        start = day - timedelta(days=(day.weekday() + 1) % 7)  # Sunday
        week_year = (start + timedelta(days=6)).year
        jan1 = date(week_year, 1, 1)
        first = jan1 - timedelta(days=(jan1.weekday() + 1) % 7)
        number = (start - first).days // 7 + 1
        return start, start + timedelta(days=7), f"W{number} {week_year}"
    if granularity == "month":
        start = day.replace(day=1)
        return start, _add_months(start, 1), f"{_MONTHS[day.month - 1]} {day.year}"
    if granularity == "quarter":
        quarter = (day.month - 1) // 3
        start = date(day.year, quarter * 3 + 1, 1)
        return start, _add_months(start, 3), f"Q{quarter + 1} {day.year}"
    start = date(day.year, 1, 1)
    return start, date(day.year + 1, 1, 1), str(day.year)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


def _date_group(model: BaseModel, gb: GroupBy, value: Any) -> tuple[str, str] | bool:
    """``(start, label)`` of the period of a cache value, as Odoo formats it."""
    if not value:
        return False
    granularity = gb.granularity or "month"
    if gb.field.type == "date":
        start, _end, label = _period(date.fromisoformat(value), granularity)
        return start.isoformat(), label
    moment = datetime.fromisoformat(value)
    zone = _tz(model)
    local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone) if zone else moment
    start, _end, label = _period(local.date(), granularity)
    begin = datetime.combine(start, datetime.min.time())
    if zone:
        begin = begin.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    return begin.strftime("%Y-%m-%d %H:%M:%S"), label


def _date_domain(model: BaseModel, gb: GroupBy, key: tuple[str, str]) -> list[Any]:
    name = gb.field.name
    granularity = gb.granularity or "month"
    if gb.field.type == "date":
        start, end, _label = _period(date.fromisoformat(key[0]), granularity)
        return ["&", [name, ">=", start.isoformat()], [name, "<", end.isoformat()]]
    begin = datetime.fromisoformat(key[0])
    zone = _tz(model)
    local = begin.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone) if zone else begin
    _start, end_day, _label = _period(local.date(), granularity)
    end = datetime.combine(end_day, datetime.min.time())
    if zone:
        end = end.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    fmt = "%Y-%m-%d %H:%M:%S"
    return ["&", [name, ">=", begin.strftime(fmt)], [name, "<", end.strftime(fmt)]]


# --- grouping --------------------------------------------------------------------------


def _keys(model: BaseModel, gb: GroupBy, rid: int) -> list[Any]:
    """The group keys of record ``rid`` (several for a many2many)."""
    value = model.value(rid, gb.field.name)
    if gb.field.type in ("date", "datetime"):
        group = _date_group(model, gb, value)
        return [group if isinstance(group, tuple) else False]
    if gb.field.type == "many2many":
        return list(value) or [False]
    if gb.field.type == "many2one":
        return [value or False]
    return [value if value not in (None, "") else False]


def _shown(model: BaseModel, gb: GroupBy, key: Any) -> Any:
    if key is False:
        return False
    if gb.field.type in ("many2one", "many2many"):
        name = model.env.display_name(gb.field.relation or "", key)
        return [key, name if name is not None else ""]
    if isinstance(key, tuple):
        return list(key)
    return key


def _domain_part(model: BaseModel, gb: GroupBy, key: Any) -> list[Any]:
    if isinstance(key, tuple):
        return _date_domain(model, gb, key)
    return [[gb.field.name, "=", key]]


def _sort_keys(model: BaseModel, gb: GroupBy, keys: Iterable[Any]) -> list[Any]:
    present = [k for k in keys if k is not False]
    if gb.field.type in ("many2one", "many2many"):
        comodel = model.env.get(gb.field.relation or "")
        if comodel is not None:
            rank = {rid: i for i, rid in enumerate(comodel.sudo().ordered(present))}
            present.sort(key=lambda k: rank.get(k, len(rank)))
    else:
        present.sort(key=lambda k: (str(type(k)), k))
    return present + ([False] if False in keys else [])


def _aggregate(model: BaseModel, agg: Aggregate, ids: list[int]) -> Any:
    if agg.func == "__count":
        return len(ids)
    fld = model.fields()[agg.field]
    values = [model.value(rid, agg.field) for rid in ids]
    if agg.func == "count":
        return sum(1 for v in values if v not in (False, None))
    if agg.func == "count_distinct":
        return len({_hashable(v) for v in values if v not in (False, None)})
    if agg.func == "array_agg":
        return values
    if agg.func in ("bool_and", "bool_or"):
        test = all if agg.func == "bool_and" else any
        return test(bool(v) for v in values)
    present = [v for v in values if v not in (False, None)]
    if fld.type in _NUMERIC:
        present = [float(v) if fld.type != "integer" else int(v) for v in values]
    if not present:
        return False if agg.func != "sum" else (0 if fld.type == "integer" else 0.0)
    if agg.func == "sum":
        total = sum(present)
        return round(total, 2) if isinstance(total, float) else total
    if agg.func == "avg":
        return sum(present) / len(present)
    if agg.func == "min":
        return min(present)
    return max(present)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@dataclass
class Group:
    keys: tuple[Any, ...]
    ids: list[int]
    values: dict[str, Any]


def compute(
    model: BaseModel,
    domain: Any,
    groupby: list[GroupBy],
    aggregates: list[Aggregate],
    order: Any = None,
) -> list[Group]:
    model.check_access_operation("read")
    ids = model.search_ids(domain)
    buckets: dict[tuple[Any, ...], list[int]] = {}
    for rid in ids:
        combos: list[tuple[Any, ...]] = [()]
        for gb in groupby:
            combos = [(*c, k) for c in combos for k in _keys(model, gb, rid)]
        for combo in combos:
            buckets.setdefault(combo, []).append(rid)
    if not groupby and not buckets:
        buckets[()] = []
    groups = [
        Group(key, members, {a.spec: _aggregate(model, a, members) for a in aggregates})
        for key, members in buckets.items()
    ]
    return _order_groups(model, groups, groupby, aggregates, order)


def _order_groups(
    model: BaseModel,
    groups: list[Group],
    groupby: list[GroupBy],
    aggregates: list[Aggregate],
    order: Any,
) -> list[Group]:
    ranks: list[dict[Any, int]] = []
    for i, gb in enumerate(groupby):
        keys = list(dict.fromkeys(g.keys[i] for g in groups))
        ranks.append({k: r for r, k in enumerate(_sort_keys(model, gb, keys))})

    def by_groupby(i: int) -> Callable[[Group], Any]:
        return lambda g: ranks[i][g.keys[i]]

    result = sorted(groups, key=lambda g: tuple(ranks[i][g.keys[i]] for i in range(len(groupby))))
    if not order:
        return result
    if not isinstance(order, str):
        raise ValueError(f'Invalid "order" specified ({order!r}).')
    specs = {gb.spec: i for i, gb in enumerate(groupby)}
    for term in reversed([t for t in order.split(",") if t.strip()]):
        match = _ORDER_TERM.match(term)
        if match is None:
            raise ValueError(f'Invalid "order" specified ({order}).')
        name, direction = match.group(1), (match.group(2) or "asc").lower()
        reverse = direction == "desc"
        if name in specs:
            result.sort(key=by_groupby(specs[name]), reverse=reverse)
            continue
        agg = next((a for a in aggregates if a.spec == name), None)
        if agg is None:
            agg = _parse_aggregate(model, name)
        values = {id(g): _aggregate(model, agg, g.ids) for g in result}
        result.sort(key=lambda g: _sortable(values[id(g)]), reverse=reverse)
    return result


def _sortable(value: Any) -> tuple[int, Any]:
    if value is False or value is None:
        return (1, 0)
    return (0, value if not isinstance(value, list) else len(value))


def _extra_domain(model: BaseModel, groupby: list[GroupBy], keys: tuple[Any, ...]) -> list[Any]:
    parts = [_domain_part(model, gb, key) for gb, key in zip(groupby, keys, strict=True)]
    if not parts:
        return [[1, "=", 1]]
    return _and(parts)


def _and(parts: list[list[Any]]) -> list[Any]:
    parts = [p for p in parts if p]
    if len(parts) == 1:
        return parts[0]
    return ["&"] * (len(parts) - 1) + [leaf for part in parts for leaf in part]


def _having(model: BaseModel, groups: list[Group], having: Any) -> list[Group]:
    """Keep the groups whose aggregates satisfy ``having`` (a domain on aggregate specs)."""
    if not having:
        return groups
    if not isinstance(having, list | tuple):
        raise ValueError(f"Invalid having clause {having!r}")
    leaves = [leaf for leaf in having if isinstance(leaf, list | tuple)]
    if any(op not in ("&",) for op in having if isinstance(op, str)):
        raise ValueError("Only '&' is supported in a having clause by the sandbox")
    tests = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    checks: list[tuple[Aggregate, Callable[[Any, Any], bool], Any]] = []
    for leaf in leaves:
        if len(leaf) != 3 or leaf[1] not in tests:
            raise ValueError(f"Invalid having clause {leaf!r}")
        checks.append((_parse_aggregate(model, leaf[0]), tests[leaf[1]], leaf[2]))
    return [
        g
        for g in groups
        if all(test(_aggregate(model, agg, g.ids) or 0, value) for agg, test, value in checks)
    ]


def _as_list(value: Any, name: str) -> list[Any]:
    if value is None or value is False:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list | tuple):
        raise TypeError(f"{name} must be a list, not {type(value).__name__}")
    return list(value)


def _page(groups: list[Group], offset: Any, limit: Any) -> list[Group]:
    start = int(offset or 0)
    return groups[start : start + int(limit)] if limit else groups[start:]


def formatted_read_group(
    model: BaseModel,
    domain: Any = (),
    groupby: Any = (),
    aggregates: Any = (),
    having: Any = (),
    offset: int = 0,
    limit: int | None = None,
    order: str | None = None,
) -> list[dict[str, Any]]:
    groups_by = [
        _parse_groupby(model, s, default_granularity=None) for s in _as_list(groupby, "groupby")
    ]
    aggs = [_parse_aggregate(model, s) for s in _as_list(aggregates, "aggregates")]
    groups = compute(model, list(domain or []), groups_by, aggs, order)
    groups = _page(_having(model, groups, having), offset, limit)
    return [_formatted(model, groups_by, g) for g in groups]


def _formatted(model: BaseModel, groupby: list[GroupBy], group: Group) -> dict[str, Any]:
    row: dict[str, Any] = {
        gb.spec: _shown(model, gb, key) for gb, key in zip(groupby, group.keys, strict=True)
    }
    row["__extra_domain"] = _extra_domain(model, groupby, group.keys)
    row.update(group.values)
    return row


def web_read_group(
    model: BaseModel,
    domain: Any,
    groupby: Any,
    aggregates: Any = (),
    limit: int | None = None,
    offset: int = 0,
    order: str | None = None,
    **_options: Any,
) -> dict[str, Any]:
    """``{"groups", "length"}``: ``length`` is the number of groups before paging."""
    groups_by = [
        _parse_groupby(model, s, default_granularity=None) for s in _as_list(groupby, "groupby")
    ]
    aggs = [_parse_aggregate(model, s) for s in _as_list(aggregates, "aggregates")]
    groups = compute(model, list(domain or []), groups_by, aggs, order)
    page = _page(groups, offset, limit)
    return {
        "groups": [_formatted(model, groups_by, g) for g in page],
        "length": len(groups),
    }


def read_group(
    model: BaseModel,
    domain: Any,
    fields: Any,
    groupby: Any,
    offset: int = 0,
    limit: int | None = None,
    orderby: Any = False,
    lazy: bool = True,
) -> list[dict[str, Any]]:
    """The pre-17 API Odoo 19 keeps (deprecated): see the module docstring."""
    specs = _as_list(groupby, "groupby")
    if lazy:
        specs = specs[:1]
    groups_by = [_parse_groupby(model, s, default_granularity="month") for s in specs]
    names = {gb.field.name for gb in groups_by}
    aggs: list[Aggregate] = []
    for spec in _as_list(fields, "fields"):
        if not isinstance(spec, str):
            raise ValueError(f"Invalid field specification {spec!r}")
        name, _, func = spec.partition(":")
        if name in names or name == "__count":
            continue
        fld = model.fields().get(name)
        if fld is None:
            raise ValueError(f"Invalid field {name!r} on model {model._name!r}")
        func = func or ("sum" if fld.type in _NUMERIC and name != "id" else "")
        if func:
            aggs.append(_parse_aggregate(model, f"{name}:{func}"))
    domain_list = list(domain or [])
    count_key = f"{specs[0].split(':')[0]}_count" if lazy and specs else "__count"
    order = _legacy_order(orderby, aggs, count_key) if orderby else None
    groups = _page(compute(model, domain_list, groups_by, aggs, order), offset, limit)
    result = []
    for group in groups:
        row: dict[str, Any] = {}
        for gb, key in zip(groups_by, group.keys, strict=True):
            row[gb.spec] = _legacy_value(model, gb, key)
        row[count_key] = len(group.ids)
        for agg in aggs:
            row[agg.field] = group.values[agg.spec]
        extra = _extra_domain(model, groups_by, group.keys) if groups_by else []
        row["__domain"] = _and([extra, domain_list]) if domain_list else extra
        if lazy and len(_as_list(groupby, "groupby")) > 1:
            row["__context"] = {"group_by": _as_list(groupby, "groupby")[1:]}
        if any(isinstance(k, tuple) for k in group.keys):
            row["__range"] = _ranges(model, groups_by, group.keys)
        result.append(row)
    return result


def _legacy_order(orderby: Any, aggs: list[Aggregate], count_key: str) -> str:
    """``orderby`` in the legacy names (``amount_total desc``, ``state_count``) as aggregates."""
    if not isinstance(orderby, str):
        raise ValueError(f'Invalid "order" specified ({orderby!r}).')
    terms = []
    for term in orderby.split(","):
        name, _, rest = term.strip().partition(" ")
        if not name:
            continue
        spec = next((a.spec for a in aggs if a.field == name), None)
        if spec is None and name in (count_key, "__count"):
            spec = "__count"
        terms.append(f"{spec or name} {rest}".strip())
    return ", ".join(terms)


def _legacy_value(model: BaseModel, gb: GroupBy, key: Any) -> Any:
    if isinstance(key, tuple):
        return key[1]  # the label ("November 2026")
    return _shown(model, gb, key)


def _ranges(model: BaseModel, groupby: list[GroupBy], keys: tuple[Any, ...]) -> dict[str, Any]:
    ranges: dict[str, Any] = {}
    for gb, key in zip(groupby, keys, strict=True):
        if gb.field.type not in ("date", "datetime"):
            continue
        if not isinstance(key, tuple):
            ranges[gb.spec] = False
            continue
        domain = _date_domain(model, gb, key)
        ranges[gb.spec] = {"from": domain[1][2], "to": domain[2][2]}
    return ranges
