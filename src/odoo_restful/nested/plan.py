"""A nested field tree resolved against ``fields_get``: which fields are relations.

Both read strategies (one ``web_search_read``, or batched ``read`` calls) and the
shaping of their answers work from this plan, so they cannot disagree on a shape.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from ..errors import BadRequest
from ..odoo.metadata import FieldsInfo
from ..odoo.xmlids import XMLID_FIELD
from ..params import FieldTree

FieldsOf = Callable[[str], Awaitable[FieldsInfo]]
Kind = Literal["plain", "many2one", "x2many"]
_KINDS: dict[str, Kind] = {
    "many2one": "many2one",
    "one2many": "x2many",
    "many2many": "x2many",
}
DISPLAY_NAME = "display_name"


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    sub: Level | None  # the related records' fields, when asked


@dataclass(frozen=True)
class Level:
    model: str
    fields: tuple[Field, ...]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def display_name_only(self) -> bool:
        """Only ``display_name`` (and maybe ``id``) asked: Odoo answers it even for
        related records the user may not read (many2one, read with sudo)."""
        return {f.name for f in self.fields} - {"id"} == {DISPLAY_NAME}


async def resolve(fields_of: FieldsOf, model: str, tree: FieldTree) -> Level:
    """The plan of ``tree`` on ``model``; sub-fields on a non-relational field are a 400."""
    info = await fields_of(model)

    async def one(name: str, sub_tree: FieldTree | None) -> Field:
        if name == XMLID_FIELD:
            raise BadRequest(f"fields: {XMLID_FIELD} is available in flat reads only")
        meta = info.get(name) or {}
        kind = _KINDS.get(str(meta.get("type")), "plain")
        if sub_tree is None:
            return Field(name, kind, None)
        relation = meta.get("relation")
        if kind == "plain" or not isinstance(relation, str):
            if not meta:
                raise BadRequest(f"fields: {model} has no field {name!r} that you may read")
            raise BadRequest(f"fields: {model}.{name} is not a relation; it has no sub-fields")
        return Field(name, kind, await resolve(fields_of, relation, sub_tree))

    fields = await asyncio.gather(*(one(n, s) for n, s in tree.items()))
    return Level(model, tuple(fields))
