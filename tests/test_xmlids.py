"""External id resolution: through check_object_reference, cached per database,
unknown ids not cached, another model's record refused, domains on ``id`` only."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from odoo_restful.errors import InvalidParameters, MissingError
from odoo_restful.odoo.base import Credential
from odoo_restful.odoo.xmlids import ExternalIds

KNOWN = {("base", "main_partner"): ["res.partner", 1], ("base", "be"): ["res.country", 20]}


class Client:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, list[Any]]] = []

    async def call(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        self.calls.append((model, method, args))
        if method == "get_external_id":
            return {str(i): ("base.main_partner" if i == 1 else False) for i in args[0]}
        found = KNOWN.get((args[0], args[1]))
        if found is None:
            raise InvalidParameters(
                "External ID not found in the system", odoo_name="builtins.ValueError"
            )
        return found


CRED = Credential("db", 5, "s")


def test_resolution_is_cached_per_database_and_unknown_is_not() -> None:
    client = Client()
    ids = ExternalIds(client)  # type: ignore[arg-type]

    async def run() -> None:
        assert await ids.resolve(CRED, "res.partner", "base.main_partner", "x") == 1
        assert await ids.resolve(CRED, "res.partner", "base.main_partner", "x") == 1
        assert len(client.calls) == 1
        await ids.resolve(Credential("other", 5, "s"), None, "base.main_partner", "x")
        assert len(client.calls) == 2
        with pytest.raises(InvalidParameters, match=r"res\.country"):
            await ids.resolve(CRED, "res.partner", "base.be", "x")
        with pytest.raises(MissingError):
            await ids.resolve(CRED, "res.partner", "base.nope", "path", path=True)
        with pytest.raises(InvalidParameters):
            await ids.resolve(CRED, "res.partner", "base.nope", "value")
        before = len(client.calls)
        with pytest.raises(InvalidParameters):
            await ids.resolve(CRED, "res.partner", "base.nope", "value")
        assert len(client.calls) == before + 1

    asyncio.run(run())


def test_domains_resolve_id_leaves_only() -> None:
    ids = ExternalIds(Client())  # type: ignore[arg-type]
    domain = [
        "|",
        ["id", "in", [4, "base.main_partner"]],
        ["id", "=", "base.main_partner"],
        ["parent_id", "=", "base.main_partner"],  # a name search in Odoo: left alone
        ["id", "like", "base.main_partner"],
    ]
    out = asyncio.run(ids.resolve_domain(CRED, "res.partner", domain))
    assert out == [
        "|",
        ["id", "in", [4, 1]],
        ["id", "=", 1],
        ["parent_id", "=", "base.main_partner"],
        ["id", "like", "base.main_partner"],
    ]


def test_external_ids_of_records_in_one_call() -> None:
    client = Client()
    ids = ExternalIds(client)  # type: ignore[arg-type]
    found = asyncio.run(ids.of_records(CRED, "res.partner", [1, 2], {}))
    assert found == {1: "base.main_partner", 2: None}
    assert len(client.calls) == 1
