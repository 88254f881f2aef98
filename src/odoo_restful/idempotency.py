"""``Idempotency-Key`` on POST (create, method calls): a retry gets the first answer.

The key is scoped to the token's Odoo user (database and uid), and bound to the
request it came with (method, path, query and body hashed). The first request
claims the key in the token store before Odoo is called, so two replicas receiving
the same retry at once call Odoo once: the other gets 409 at once (a client retries
it after ``Retry-After``) rather than holding a connection open waiting. Answers
below 500 are kept for 24 hours and replayed with ``Idempotent-Replayed: true``;
after a 5xx or a crash the claim is dropped (or lapses after ``lease`` seconds) so
the client can retry.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from .errors import BadRequest, GatewayError, IdempotencyKeyInUse, IdempotencyKeyReused
from .metrics import timed_store
from .odoo.base import Credential
from .responses import JSON, error_response
from .tokens.store import TokenStore

HEADER = "idempotency-key"
REPLAYED = "Idempotent-Replayed"
TTL = 24 * 3600.0
_MAX_KEY = 255
_PURGE_EVERY = 300.0


def _key_text(request: Request) -> str | None:
    value = request.headers.get(HEADER)
    if value is None:
        return None
    value = value.strip()
    if not 1 <= len(value) <= _MAX_KEY or not value.isascii() or not value.isprintable():
        raise BadRequest(f"Idempotency-Key must be 1 to {_MAX_KEY} printable ASCII characters")
    return value


def _digest(*parts: bytes) -> bytes:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.digest()


class Idempotency:
    """Claims, answers and replays idempotency keys held in the token store."""

    def __init__(self, store: TokenStore, *, lease: float, ttl: float = TTL) -> None:
        self.store = store
        self.lease = lease  # an unfinished claim older than this is taken over
        self.ttl = ttl
        self._next_purge = 0.0

    async def run(
        self, request: Request, cred: Credential, handler: Callable[[], Awaitable[Response]]
    ) -> Response:
        """The handler's answer, or the first answer to this key; 409 or 422 as above."""
        text = _key_text(request)
        if text is None:
            return await handler()
        key = _digest(cred.db.encode(), str(cred.uid).encode(), text.encode())
        body = await request.body()
        target = _digest(
            request.method.encode(),
            request.url.path.encode(),
            request.url.query.encode(),
            body,
        )
        now = time.time()
        if now >= self._next_purge:
            self._next_purge = now + _PURGE_EVERY
            await self.store.purge_idempotency(now)
        owner = secrets.token_bytes(16)
        with timed_store("claim_idempotency"):
            held = await self.store.claim_idempotency(
                key, target, owner, now=now, ttl=self.ttl, lease=self.lease
            )
        if held is not None:
            if held.request_hash != target:
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was sent with a different request; use a new key"
                )
            if held.status is None or held.body is None:
                raise IdempotencyKeyInUse(
                    "a request with this Idempotency-Key is still running; retry shortly",
                    headers={"Retry-After": "1"},
                )
            return Response(
                held.body, status_code=held.status, media_type=JSON, headers={REPLAYED: "true"}
            )
        try:
            try:
                response = await handler()
            except GatewayError as exc:  # a 4xx is an answer too: the retry gets it again
                response = error_response(exc)
        except BaseException:
            await self.store.release_idempotency(key, owner)
            raise
        if response.status_code >= 500:
            await self.store.release_idempotency(key, owner)
            return response
        await self.store.finish_idempotency(key, owner, response.status_code, bytes(response.body))
        return response
