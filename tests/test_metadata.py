"""The per-user metadata caches: one fetch per user and TTL, on an injected clock."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from odoo_restful.errors import UpstreamError
from odoo_restful.odoo.base import Credential
from odoo_restful.odoo.metadata import Metadata

ADMIN = Credential("db", 2, "pw", "password", "admin")
DEMO = Credential("db", 5, "pw", "password", "demo")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeOdoo:
    """Answers fields_get and counts the calls; fails while ``broken`` is set."""

    protocol = "jsonrpc"

    def __init__(self) -> None:
        self.calls: list[tuple[int, str, str]] = []
        self.broken = False

    async def call(
        self, cred: Credential, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        self.calls.append((cred.uid, model, method))
        if self.broken:
            raise UpstreamError("Odoo is down")
        return {"name": {"type": "char", "store": True}, f"only_uid_{cred.uid}": {"type": "char"}}


def test_fields_get_once_per_user_and_ttl() -> None:
    async def scenario() -> None:
        clock, odoo = Clock(), FakeOdoo()
        meta = Metadata(odoo, ttl=300, clock=clock)  # type: ignore[arg-type]
        for _ in range(3):
            assert "only_uid_2" in await meta.get(ADMIN, "res.partner")
            assert "only_uid_5" in await meta.get(DEMO, "res.partner")  # per user
        assert len(odoo.calls) == 2
        clock.now += 299.9
        await meta.get(ADMIN, "res.partner")
        assert len(odoo.calls) == 2
        clock.now += 0.1
        await meta.get(ADMIN, "res.partner")
        assert len(odoo.calls) == 3

    asyncio.run(scenario())


def test_failures_are_not_cached() -> None:
    async def scenario() -> None:
        odoo = FakeOdoo()
        meta = Metadata(odoo, ttl=300, clock=Clock())  # type: ignore[arg-type]
        odoo.broken = True
        with pytest.raises(UpstreamError):
            await meta.get(ADMIN, "res.partner")
        odoo.broken = False
        assert "name" in await meta.get(ADMIN, "res.partner")
        assert len(odoo.calls) == 2

    asyncio.run(scenario())
