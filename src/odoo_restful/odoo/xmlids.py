"""External ids (``module.name``) wherever an id is accepted, and a record's own.

Resolved through Odoo as the calling user with
``ir.model.data.check_object_reference(module, name)``: public on 16 to 19 and
working without read access on ``ir.model.data`` (which ordinary users lack). A
resolution does not depend on the user (the method does not check access to the
record it names), so it is cached per database, briefly: an external id may be
re-pointed. Unknown ids are not cached.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from ..errors import InvalidParameters, MissingError, UpstreamError
from ..values.forms import is_xmlid
from ..values.walk import Resolver
from .base import Credential, OdooClient
from .metadata import TtlCache

#: Where a client asks for a record's external id in ``fields``.
XMLID_FIELD = "__xmlid"


class ExternalIds:
    def __init__(self, client: OdooClient, *, ttl: float = 60.0, max_entries: int = 4096):
        self._client = client
        self._cache: TtlCache[tuple[str, str], tuple[str, int]] = TtlCache(
            ttl=ttl, max_entries=max_entries
        )

    async def lookup(self, cred: Credential, ref: str) -> tuple[str, int] | None:
        """``(model, id)`` named by ``ref``, or None when Odoo knows no such external id."""

        async def fetch() -> tuple[str, int]:
            module, name = ref.split(".", 1)
            found = await self._client.call(
                cred, "ir.model.data", "check_object_reference", [module, name], {}
            )
            if (
                not isinstance(found, list)
                or len(found) != 2
                or not isinstance(found[0], str)
                or not isinstance(found[1], int)
                or isinstance(found[1], bool)
            ):
                raise UpstreamError("Odoo's check_object_reference reply is not [model, id]")
            return found[0], found[1]

        try:
            return await self._cache.get((cred.db, ref), fetch)
        except InvalidParameters as exc:  # Odoo: ValueError "External ID not found"
            if exc.odoo_name == "builtins.ValueError":
                return None
            raise

    async def resolve(
        self, cred: Credential, model: str | None, ref: str, where: str, *, path: bool = False
    ) -> int:
        """The id of the ``model`` record ``ref`` names. Unknown: 404 on a path, else 422;
        a record of another model: 422."""
        found = await self.lookup(cred, ref)
        if found is None:
            message = f"{where}: external id {ref!r} does not exist"
            raise MissingError(message) if path else InvalidParameters(message)
        if model is not None and found[0] != model:
            raise InvalidParameters(
                f"{where}: external id {ref!r} names a {found[0]} record, not {model}"
            )
        return found[1]

    def resolver(self, cred: Credential) -> Resolver:
        """The hook the values walk calls for external ids in relational values."""

        async def resolve(model: str | None, refs: Collection[str], where: str) -> dict[str, int]:
            return {ref: await self.resolve(cred, model, ref, f"field '{where}'") for ref in refs}

        return resolve

    async def resolve_domain(self, cred: Credential, model: str, domain: list[Any]) -> list[Any]:
        """``domain`` with external ids in ``id`` leaves (``=``, ``!=``, ``in``, ``not in``)
        replaced by ids. Odoo itself would send the text to PostgreSQL (an SQL error).
        Other fields are left alone: a text on a many2one is a name search in Odoo."""
        out: list[Any] = []
        for index, leaf in enumerate(domain):
            if (
                isinstance(leaf, list)
                and len(leaf) == 3
                and leaf[0] == "id"
                and leaf[1] in ("=", "!=", "in", "not in")
            ):
                where = f"domain item {index}"
                value = leaf[2]
                if is_xmlid(value):
                    value = await self.resolve(cred, model, value, where)
                elif isinstance(value, list) and any(is_xmlid(v) for v in value):
                    value = [
                        await self.resolve(cred, model, v, where) if is_xmlid(v) else v
                        for v in value
                    ]
                leaf = [leaf[0], leaf[1], value]
            out.append(leaf)
        return out

    async def of_records(
        self, cred: Credential, model: str, ids: Iterable[int], context: Mapping[str, Any]
    ) -> dict[int, str | None]:
        """Each record's external id (None without one): one ``get_external_id`` call."""
        wanted = list(ids)
        if not wanted:
            return {}
        found = await self._client.call(
            cred, model, "get_external_id", [wanted], {"context": dict(context)}
        )
        if not isinstance(found, dict):
            raise UpstreamError("Odoo's get_external_id reply is not an object")
        return {rid: found.get(str(rid)) or None for rid in wanted}  # JSON keys are text
