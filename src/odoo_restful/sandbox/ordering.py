"""``order`` specifications (``"name desc, id asc"``) and sorting record ids by them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .domain import Table
from .errors import UserError
from .fields import X2MANY

_TERM = re.compile(
    r"^\s*(?P<field>[A-Za-z_][A-Za-z0-9_]*)(?:\s+(?P<dir>asc|desc))?"
    r"(?:\s+nulls\s+(?P<nulls>first|last))?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Term:
    field: str
    descending: bool
    nulls_first: bool


def parse_order(spec: Any, table: Table) -> list[Term]:
    """Parse and check ``spec`` against ``table``'s fields (Odoo's error messages)."""
    if not isinstance(spec, str):
        raise ValueError(f'Invalid "order" specified ({spec!r}).')
    terms: list[Term] = []
    for part in spec.split(","):
        if not part.strip():
            continue
        match = _TERM.match(part)
        if match is None:
            raise UserError(
                f'Invalid "order" specified ({spec}). A valid "order" specification is a '
                "comma-separated list of valid field names (optionally followed by asc/desc "
                "for the direction)"
            )
        fname = match["field"]
        if table.get_field(fname) is None:
            raise ValueError(f"Invalid field {fname!r} on model {table.model_name!r}")
        descending = (match["dir"] or "asc").lower() == "desc"
        nulls = (match["nulls"] or "").lower()
        # PostgreSQL: ASC puts NULLs last, DESC puts them first.
        nulls_first = nulls == "first" if nulls else descending
        terms.append(Term(fname, descending, nulls_first))
    return terms


def sort_ids(table: Table, ids: Iterable[int], terms: list[Term]) -> list[int]:
    """``ids`` sorted by ``terms``, ties broken by ascending id."""
    result = sorted(ids)
    for term in reversed(terms):
        if term.field == "id":
            result.sort(reverse=term.descending)
            continue
        key = _sort_key(table, term)
        if key is not None:
            result.sort(key=key, reverse=term.descending)
    return result


def _sort_key(table: Table, term: Term) -> Callable[[int], tuple[int, Any]] | None:
    fld = table.get_field(term.field)
    if fld is None or fld.type in X2MANY:
        return None
    fname = fld.name
    relation = table.table(fld.relation) if fld.type == "many2one" and fld.relation else None
    boolean = fld.type == "boolean"
    # Within one sort direction, put NULLs at the wanted end.
    null_rank = 0 if term.nulls_first != term.descending else 1

    def key(rid: int) -> tuple[int, Any]:
        value = table.value(rid, fname)
        if relation is not None and value:
            value = relation.display_name(value)
        if value is False or value is None:
            if not boolean:
                return (null_rank, "")
            value = False
        if isinstance(value, str):
            return (1 - null_rank, (value.casefold(), value))
        return (1 - null_rank, value)

    return key
