"""Grouped-aggregate parameters: ``groupby``, ``aggregates`` and their ``order``.

Specs use Odoo 19's ``formatted_read_group`` spelling whatever the server version:
``partner_id``, ``date_order:month`` (groupby) and ``amount_total:sum``, ``__count``
(aggregates). They are checked here for shape; Odoo checks that the fields exist.
"""

from __future__ import annotations

import re
from typing import Any, Final

from ..errors import BadRequest
from .limits import MAX_ORDER_CHARS
from .lists import list_items
from .literal import parse_literal, short_repr, to_plain_data

GRANULARITIES: Final = frozenset({"day", "week", "month", "quarter", "year"})
AGGREGATORS: Final = frozenset(
    {"sum", "avg", "min", "max", "count", "count_distinct", "bool_and", "bool_or", "array_agg"}
)
COUNT: Final = "__count"
MAX_GROUPBY: Final = 8
MAX_AGGREGATES: Final = 64

_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
_SPEC = re.compile(rf"(?P<field>{_NAME})(?::(?P<part>[a-z_]+))?", re.ASCII)
_ORDER_TERM = re.compile(
    rf"(?P<key>{_NAME}(?::[a-z_]+)?)(?:\s+(?P<direction>asc|desc))?", re.ASCII | re.IGNORECASE
)


def _specs(value: Any, *, what: str, max_items: int) -> list[tuple[str, str | None]]:
    items = list_items(value, what=what, max_items=max_items, max_chars=max_items * 96)
    out: dict[tuple[str, str | None], None] = {}
    for item in items or []:
        match = _SPEC.fullmatch(item.strip()) if isinstance(item, str) else None
        if match is None:
            raise BadRequest(f"{what}: invalid entry {short_repr(item)}")
        out[(match["field"], match["part"])] = None
    return list(out)


def parse_groupby(value: Any) -> list[str]:
    """``field`` or ``date_field:granularity``; at least one, at most :data:`MAX_GROUPBY`."""
    specs = _specs(value, what="groupby", max_items=MAX_GROUPBY)
    if not specs:
        raise BadRequest("groupby is required, e.g. groupby=partner_id,date_order:month")
    names: list[str] = []
    for field, part in specs:
        if part is not None and part not in GRANULARITIES:
            raise BadRequest(
                f"groupby: unknown granularity {part!r} for {field!r} "
                f"(one of {', '.join(sorted(GRANULARITIES))})"
            )
        names.append(field if part is None else f"{field}:{part}")
    return names


def parse_aggregates(value: Any) -> list[str]:
    """``field:aggregator`` or ``__count``; ``__count`` alone when none is given."""
    specs = _specs(value, what="aggregates", max_items=MAX_AGGREGATES)
    if not specs:
        return [COUNT]
    names: list[str] = []
    for field, part in specs:
        if field == COUNT and part is None:
            names.append(COUNT)
            continue
        if field.startswith("__"):
            raise BadRequest(f"aggregates: {field!r} takes no aggregator; use __count alone")
        if part is None:
            raise BadRequest(
                f"aggregates: {field!r} needs an aggregator, e.g. {field}:sum "
                f"(one of {', '.join(sorted(AGGREGATORS))}), or use __count"
            )
        if part not in AGGREGATORS:
            raise BadRequest(
                f"aggregates: unknown aggregator {part!r} (one of {', '.join(sorted(AGGREGATORS))})"
            )
        names.append(f"{field}:{part}")
    return names


def parse_group_order(value: Any, *, keys: list[str]) -> str | None:
    """Order of the groups: terms naming a groupby or aggregate spec, asc or desc."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value) > MAX_ORDER_CHARS:
        raise BadRequest("order must be a string such as '__count desc, partner_id'")
    known = set(keys)
    terms: list[str] = []
    for part in value.split(","):
        match = _ORDER_TERM.fullmatch(part.strip())
        if match is None:
            raise BadRequest(f"order: invalid term {short_repr(part.strip())}")
        key = match["key"]
        if key not in known:
            raise BadRequest(
                f"order: {key!r} is neither a groupby nor an aggregate of this request"
            )
        terms.append(key + (" " + match["direction"].lower() if match["direction"] else ""))
    return ", ".join(terms)


_HAVING_OPERATORS: Final = frozenset({"=", "!=", "<", "<=", ">", ">=", "in", "not in"})
_LOGIC: Final = {"&": 2, "|": 2, "!": 1}
MAX_HAVING_TERMS: Final = 32


def parse_having(value: Any, *, aggregates: list[str]) -> list[Any]:
    """A domain over this request's aggregates, e.g. ``[["__count", ">", 2]]``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if isinstance(value, str):
        data = parse_literal(value, what="having")
    elif isinstance(value, list):
        data = to_plain_data(value, what="having")
    else:
        data = None
    if not isinstance(data, list):
        raise BadRequest("having must be a list of conditions on aggregates")
    if len(data) > MAX_HAVING_TERMS:
        raise BadRequest(f"having has too many terms (max {MAX_HAVING_TERMS})")
    known = set(aggregates)
    out: list[Any] = []
    for term in data:
        if isinstance(term, str) and term in _LOGIC:
            out.append(term)
            continue
        if not (isinstance(term, (list, tuple)) and len(term) == 3):
            raise BadRequest(f"having: invalid condition {short_repr(term)}")
        key, operator, operand = term
        if key not in known:
            raise BadRequest(
                f"having: {short_repr(key)} is not one of this request's aggregates "
                f"({', '.join(aggregates)})"
            )
        if operator not in _HAVING_OPERATORS:
            raise BadRequest(f"having: unsupported operator {short_repr(operator)}")
        scalars = operand if isinstance(operand, list) else [operand]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in scalars):
            raise BadRequest(f"having: {key} must be compared with numbers")
        out.append([key, operator, operand])
    return out
