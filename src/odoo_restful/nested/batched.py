"""Nested reads without ``web_search_read`` (Odoo 16 and older): one batched
``read`` per relation field and level, over the ids of all parent records at once,
never one call per record."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ..errors import AccessError
from .plan import DISPLAY_NAME, Field, Level
from .shape import ordered

ReadFn = Callable[[str, list[int], list[str]], Awaitable[list[dict[str, Any]]]]


def _m2o_id(value: Any) -> int | None:
    if isinstance(value, list) and value and isinstance(value[0], int):
        return value[0]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ids(field: Field, rows: list[dict[str, Any]]) -> list[int]:
    seen: dict[int, None] = {}
    for row in rows:
        value = row.get(field.name)
        if field.kind == "many2one":
            rid = _m2o_id(value)
            if rid is not None:
                seen[rid] = None
        elif isinstance(value, list):
            seen.update((i, None) for i in value if isinstance(i, int))
    return list(seen)


async def _related(read: ReadFn, field: Field, ids: list[int]) -> dict[int, dict[str, Any]]:
    assert field.sub is not None
    if not ids:
        return {}
    try:
        rows = await read(field.sub.model, ids, field.sub.names)
    except AccessError:
        if not field.sub.display_name_only:
            raise  # as Odoo does: asking more than the name fails the whole read
        # The user may not read these records, and only their names were asked:
        # give the ids, never fail the whole answer.
        return {i: {"id": i, DISPLAY_NAME: None} for i in ids}
    await expand(read, field.sub, rows)
    return {row["id"]: ordered(field.sub, row) for row in rows if isinstance(row.get("id"), int)}


async def expand(read: ReadFn, level: Level, rows: list[dict[str, Any]]) -> None:
    """Replace, in place, the relation values of ``rows`` by the related records asked."""
    wanted = [f for f in level.fields if f.sub is not None]

    async def one(field: Field) -> None:
        assert field.sub is not None
        if field.kind == "many2one" and field.sub.display_name_only:
            # read's [id, name] pair already is the display name (and works where
            # the user may not read the related model, as Odoo's web_read does).
            for row in rows:
                value = row.get(field.name)
                if isinstance(value, list) and len(value) == 2:
                    row[field.name] = ordered(field.sub, {"id": value[0], DISPLAY_NAME: value[1]})
                else:
                    row[field.name] = False
            return
        found = await _related(read, field, _ids(field, rows))
        for row in rows:
            value = row.get(field.name)
            if field.kind == "many2one":
                rid = _m2o_id(value)
                row[field.name] = found.get(rid, False) if rid is not None else False
            else:
                items = value if isinstance(value, list) else []
                row[field.name] = [found[i] for i in items if i in found]

    await asyncio.gather(*(one(f) for f in wanted))
