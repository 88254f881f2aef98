"""Create/write values: friendly relational forms turned into Odoo commands.

Odoo only understands x2many *commands* (``[[0, 0, vals], [4, id], [6, 0, ids]]``)
and rejects dicts inside them (``TypeError: unhashable type: 'dict'``). REST
clients naturally send ``[{"id": 10}]`` or ``{"add": [7]}``, and the seed sends
``__api__<field>`` keys holding Python-literal command strings. This package
rewrites all of those before the call, using the model's field metadata, in one
walk (:mod:`.walk`) that also shows every record acted on to a guard (scopes, the
write deny-list), however deeply it is nested.

Only list and object values of fields that the metadata says are many2one,
one2many or many2many are touched; every other value (including
``json``/``properties`` fields, which may hold dicts) and every unknown field name
is passed through for Odoo to judge. Scalars are never translated, even on
relational fields (``null`` stays ``null``, which Odoo reads as empty).

Command forms emitted (Odoo 12 to 19 accept all of them): ``[0, 0, vals]``
create, ``[1, id, vals]`` update, ``[2, id]`` delete, ``[3, id]`` remove from the
relation, ``[4, id]`` link, ``[5, 0, 0]`` clear, ``[6, 0, ids]`` replace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import params
from ..errors import BadRequest, PayloadTooLarge
from .forms import OPERATIONS, kind
from .walk import (
    API_PREFIX,
    CurrentLines,
    FieldsInfo,
    FieldsLookup,
    Guard,
    Mode,
    Resolver,
    Walk,
    needs_metadata,
)

__all__ = [
    "API_PREFIX",
    "OPERATIONS",
    "CurrentLines",
    "FieldsInfo",
    "FieldsLookup",
    "Guard",
    "Resolver",
    "needs_metadata",
    "normalise_create_payload",
    "prepare_values",
]


async def prepare_values(
    model: str,
    vals: Mapping[str, Any],
    *,
    fields: FieldsLookup,
    current: CurrentLines | None = None,
    guard: Guard | None = None,
    resolve: Resolver | None = None,
    mode: Mode | None = None,
    max_depth: int = 4,
    max_commands: int = 1000,
) -> dict[str, Any]:
    """Return ``vals`` with relational values rewritten as Odoo commands.

    ``current`` is None on create. On write it returns the record's current
    one2many line ids, so that lines left out of a friendly list are deleted
    (``[2, id]``) as Odoo's own form does; ``mode="update"`` writes without them (a
    write to several records: a friendly one2many list is refused). ``resolve`` turns
    external ids into ids where ids go. ``max_depth`` bounds nested records and
    ``max_commands`` the total number of commands and ids produced.
    """
    walk = Walk(
        fields,
        current=current,
        guard=guard,
        resolve=resolve,
        max_depth=max_depth,
        max_commands=max_commands,
    )
    if mode is None:
        mode = "create" if current is None else "write"
    return await walk.record(model, vals, prefix="", depth=0, mode=mode)


def normalise_create_payload(
    body: params.Body | Mapping[str, Any] | list[Any] | Any, *, max_records: int
) -> list[dict[str, Any]]:
    """The records to create: one object or a non-empty list of at most ``max_records``."""
    if isinstance(body, params.Body):
        body = body.items if body.items is not None else body.fields
    if isinstance(body, Mapping):
        return [dict(body)]
    if not isinstance(body, (list, tuple)):
        raise BadRequest("create expects an object or a list of objects")
    if not body:
        raise BadRequest("create expects at least one record")
    if len(body) > max_records:
        raise PayloadTooLarge(f"at most {max_records} records per create")
    records: list[dict[str, Any]] = []
    for index, item in enumerate(body):
        if not isinstance(item, Mapping):
            raise BadRequest(f"record {index} must be an object, got {kind(item)}")
        records.append(dict(item))
    return records
