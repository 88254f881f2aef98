"""TokenService over a real SQLite store: what the cache spares the store, and what it
must never hide (revocation, expiry)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from odoo_restful.compose import open_store
from odoo_restful.errors import InvalidToken, TokenExpired
from odoo_restful.odoo.base import Credential
from odoo_restful.tokens.crypto import ServerSecrets
from odoo_restful.tokens.service import TokenService
from odoo_restful.tokens.store import Scopes, TokenRecord

CRED = Credential("db", 2, "s3cret", "password", "admin")


class Counting:
    """Wraps a real store and counts lookups."""

    def __init__(self, store: object) -> None:
        self._store = store
        self.gets = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    async def get(self, hashes: Sequence[bytes]) -> TokenRecord | None:
        self.gets += 1
        return await self._store.get(hashes)  # type: ignore[attr-defined, no-any-return]


class Clock:
    """Both of the service's clocks, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def run(tmp: Path, scenario, clock: Clock | None = None) -> None:  # type: ignore[no-untyped-def]
    clock = clock or Clock()

    async def go() -> None:
        store = open_store(str(tmp / "t.db"))
        await store.open()
        counting = Counting(store)
        service = TokenService(
            counting,
            ServerSecrets([b"k" * 32]),
            ttl=3600,  # type: ignore[arg-type]
            cache_ttl=30,
            negative_ttl=30,
            clock=clock,
            wall_clock=clock,
        )
        try:
            await scenario(service, counting)
        finally:
            await store.close()

    asyncio.run(go())


def test_cache_hits_do_not_reach_the_store(tmp_path: Path) -> None:
    async def scenario(service: TokenService, store: Counting) -> None:
        token, _ = await service.issue(CRED, login="admin", user_info={})
        for _ in range(100):
            ident = await service.resolve(token)
        assert ident.cred.secret == "s3cret" and ident.cred.uid == 2
        assert store.gets == 1

    run(tmp_path, scenario)


def test_unknown_tokens_are_remembered_briefly(tmp_path: Path) -> None:
    async def scenario(service: TokenService, store: Counting) -> None:
        for _ in range(50):
            with pytest.raises(InvalidToken):
                await service.resolve("odr_unknown")
        assert store.gets == 1

    run(tmp_path, scenario)


def test_expiry_is_never_hidden_by_the_cache(tmp_path: Path) -> None:
    clock = Clock()

    async def scenario(service: TokenService, store: Counting) -> None:
        token, _ = await service.issue(CRED, login="admin", user_info={}, ttl=10)
        await service.resolve(token)
        clock.now += 9.9
        await service.resolve(token)  # still valid, from the cache
        clock.now += 0.1
        for _ in range(5):
            with pytest.raises(TokenExpired):
                await service.resolve(token)
        assert store.gets == 1  # the cached identity knew its own expiry

    run(tmp_path, scenario, clock)


def test_the_store_is_read_again_once_per_cache_ttl(tmp_path: Path) -> None:
    clock = Clock()

    async def scenario(service: TokenService, store: Counting) -> None:
        token, _ = await service.issue(CRED, login="admin", user_info={})
        await service.resolve(token)
        clock.now += 29.9
        await service.resolve(token)
        assert store.gets == 1
        clock.now += 0.1  # cache_ttl=30 has passed
        await service.resolve(token)
        assert store.gets == 2
        for _ in range(2):  # unknown tokens: remembered for negative_ttl=30
            with pytest.raises(InvalidToken):
                await service.resolve("odr_unknown")
            clock.now += 30
        assert store.gets == 4

    run(tmp_path, scenario, clock)


def test_revocation_is_immediate_in_this_process(tmp_path: Path) -> None:
    async def scenario(service: TokenService, store: Counting) -> None:
        token, _ = await service.issue(CRED, login="admin", user_info={})
        other, _ = await service.issue(CRED, login="admin", user_info={})
        await service.resolve(token)
        await service.resolve(other)
        assert await service.revoke(token)
        with pytest.raises(InvalidToken):
            await service.resolve(token)
        await service.resolve(other)
        assert await service.revoke_user("db", 2) == 1
        with pytest.raises(InvalidToken):
            await service.resolve(other)

    run(tmp_path, scenario)


def test_scopes_are_only_ever_narrowed() -> None:
    held = Scopes(read_only=True, models=("res.partner", "sale.order"), methods=None)
    asked = Scopes(read_only=False, models=("sale.order", "res.users"), methods=("a",))
    assert asked.meet(held) == Scopes(True, ("sale.order",), ("a",))
    assert Scopes().meet(held) == held
