"""The change feed: what changed on a model since a cursor, and which ids are gone.

One entry point per question: :func:`changes` (records created or changed after a
cursor, oldest first, with the next cursor) and :func:`missing` (which of a set of
ids no longer exist: Odoo keeps no tombstones). Both read as the token's user, so
Odoo's access rights and record rules decide what is seen. See ``position`` for the
at-least-once guarantee.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import BadRequest, UpstreamError
from .position import Key, Position, settle, stamp, utc_now, within

if TYPE_CHECKING:
    from ..gateway import Gateway
    from ..odoo.base import Credential

__all__ = ["FeedPage", "changes", "missing", "read_page"]

ORDER = "write_date asc, id asc"
_WIDTH = 3  # write_date, id, run_started


@dataclass(frozen=True, slots=True)
class FeedPage:
    records: list[dict[str, Any]]
    next: str
    more: bool


async def changes(
    gw: Gateway,
    cred: Credential,
    model: str,
    *,
    since: Any,
    fields: list[str] | None,
    domain: list[Any],
    limit: int,
    context: dict[str, Any],
    binding_context: Any = None,
) -> FeedPage:
    """The records of ``model`` matching ``domain`` created or changed after ``since``.

    Archived records are included (``active_test: false``) with their ``active``
    field; ``write_date`` is always in the records, since the cursor is made of it.
    """
    known = await gw.fields.get(cred, model)
    if "write_date" not in known:
        raise BadRequest(f"{model} keeps no write_date: it has no change feed")
    if fields is None or fields == ["*"]:
        fields = await gw.fields.default_fields(cred, model, every=fields is not None)
    wanted = [*fields, *(f for f in ("write_date", "active") if f in known and f not in fields)]
    binding = gw.cursors.binding(cred.db, cred.uid, model, "changes", domain, binding_context)
    here = Position()
    if since not in (None, ""):
        here = Position.from_values(gw.cursors.open(since, binding, _WIDTH, param="since"))
    records, after, full = await read_page(
        gw, cred, model, here, fields=wanted, domain=domain, limit=limit, context=context
    )
    return FeedPage(records, gw.cursors.seal(binding, after.values()), full)


async def read_page(
    gw: Gateway,
    cred: Credential,
    model: str,
    here: Position,
    *,
    fields: list[str],
    domain: list[Any],
    limit: int,
    context: dict[str, Any],
) -> tuple[list[dict[str, Any]], Position, bool]:
    """One page of changes after ``here``: the records (``fields`` must hold
    ``write_date``), the position to read on from, and whether the page was full.
    The feed route and the webhook watcher share it."""
    read_at = stamp(utc_now())
    kwargs = {
        "fields": fields,
        "limit": limit,
        "order": ORDER,
        "context": {**context, "active_test": False},
    }
    records = await _search_read(gw, cred, model, [*domain, *here.after()], kwargs)
    full = len(records) == limit
    count, reread = settle([_key(r) for r in records], full=full)
    records = records[:count]
    if reread is not None:  # a full page of one second: that second again, by id
        start = here.id if reread == here.write_date else 0
        second = [*within(reread), ["id", ">", start]]
        records = await _search_read(gw, cred, model, [*domain, *second], {**kwargs, "order": "id"})
    last = _key(records[-1]) if records else None
    after = here.advance(last, full=full, read_at=read_at, window=gw.settings.feed_window)
    return records, after, full


async def _search_read(
    gw: Gateway, cred: Credential, model: str, domain: list[Any], kwargs: dict[str, Any]
) -> list[dict[str, Any]]:
    """The records, sorted by ``(second, id)`` (Odoo sorts a second by microseconds)."""
    records = await gw.odoo.call(cred, model, "search_read", [domain], kwargs)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise UpstreamError("Odoo's search_read reply is not a list of records")
    return sorted(records, key=_key)


def _key(record: dict[str, Any]) -> Key:
    wd, rid = record.get("write_date"), record.get("id")
    if not isinstance(wd, str) or not isinstance(rid, int):
        raise UpstreamError("Odoo sent a record without write_date or id to continue from")
    return wd, rid


async def missing(
    gw: Gateway, cred: Credential, model: str, ids: list[int], context: dict[str, Any]
) -> list[int]:
    """Which of ``ids`` no longer exist (or are hidden from the user by record rules);
    archived records still exist."""
    if not ids:
        return []
    found = await gw.odoo.call(
        cred,
        model,
        "search",
        [[["id", "in", ids]]],
        {"context": {**context, "active_test": False}},
    )
    if not isinstance(found, list):
        raise UpstreamError("Odoo's search reply is not a list of ids")
    present = set(found)
    return [i for i in ids if i not in present]
