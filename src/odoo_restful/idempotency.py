"""``Idempotency-Key`` on POST (creates, method calls, attachment uploads): a retry
gets the first answer.

The key is scoped to the token's Odoo user (database and uid), and bound to the
request it came with (method, path, query and body hashed). The first request
claims the key in the token store before Odoo is called, so two replicas receiving
the same retry at once call Odoo once: the other gets 409 at once (a client retries
it after ``Retry-After``) rather than holding a connection open waiting. Answers are
kept for 24 hours and replayed with ``Idempotent-Replayed: true``.

Exactly once means a key is never run twice once Odoo may have acted on it. A 5xx
that proves Odoo did nothing (connection refused, Odoo's own error reply, the store
down before the call) drops the claim so the retry runs. A 5xx that leaves it open (a
timeout, a connection lost after the request was sent, a reply that could not be read)
is kept like any answer: the retry gets it again and the client must look before
sending the request under a new key. A claim whose process died stays "running"
(409) for ``lease`` seconds, then answers 502 ``outcome_unknown`` for good. When the
store fails after Odoo answered, the client still gets Odoo's answer and the store
write is retried in the background.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from .errors import (
    BadReply,
    BadRequest,
    GatewayError,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    OdooTimeout,
    OdooUnavailable,
    OutcomeUnknown,
    ReplyTooLarge,
    TokenStoreError,
)
from .metrics import timed_store
from .odoo.base import Credential
from .responses import JSON, error_response
from .tokens.store import TokenStore

HEADER = "idempotency-key"
REPLAYED = "Idempotent-Replayed"
TTL = 24 * 3600.0
_MAX_KEY = 255
_PURGE_EVERY = 300.0
_UNKNOWN = (
    " (whether Odoo acted on the request is unknown: this Idempotency-Key keeps this "
    "answer; look before sending the request again under a new key)"
)
log = logging.getLogger("odoo_restful.idempotency")


def _key_text(request: Request) -> str | None:
    value = request.headers.get(HEADER)
    if value is None:
        return None
    value = value.strip()
    if not 1 <= len(value) <= _MAX_KEY or not value.isascii() or not value.isprintable():
        raise BadRequest(f"Idempotency-Key must be 1 to {_MAX_KEY} printable ASCII characters")
    return value


def _maybe_done(exc: GatewayError) -> bool:
    """Whether Odoo may have acted on the request although no answer came back."""
    if isinstance(exc, OdooTimeout | BadReply | ReplyTooLarge):
        return True
    # refused: never sent; lost after the request was written: maybe done
    return isinstance(exc, OdooUnavailable) and exc.written


def _abandoned() -> bytes:
    exc = OutcomeUnknown(
        "the first request with this Idempotency-Key was cut off (its gateway process "
        "stopped) after it may have reached Odoo" + _UNKNOWN
    )
    return bytes(error_response(exc).body)


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
        self.lease = lease  # an unfinished claim older than this: its process died
        self.ttl = ttl
        self._next_purge = 0.0
        self._later: set[asyncio.Task[None]] = set()

    async def run(
        self,
        request: Request,
        cred: Credential,
        handler: Callable[[], Awaitable[Response]],
        *,
        body: bytes | None = None,
    ) -> Response:
        """The handler's answer, or the first answer to this key; 409 or 422 as above.

        ``body`` stands for the request body where it was streamed rather than held
        (uploads: a digest of the files read), so a retry is bound to the same files.
        """
        text = _key_text(request)
        if text is None:
            return await handler()
        key = _digest(cred.db.encode(), str(cred.uid).encode(), text.encode())
        if body is None:
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
            held = await self.store.claim_idempotency(key, target, owner, now=now, ttl=self.ttl)
        if held is not None:
            return await self._held(key, target, held.request_hash, held.status, held.body, now)
        try:
            try:
                response = await handler()
            except GatewayError as exc:  # a 4xx is an answer too: the retry gets it again
                if _maybe_done(exc):  # kept like an answer: never run twice
                    exc.message += _UNKNOWN
                    response = error_response(exc)
                    await self._write(self._finish(key, owner, response))
                    return response
                response = error_response(exc)
        except BaseException:
            await self._write(lambda: self.store.release_idempotency(key, owner))
            raise
        if response.status_code >= 500:  # Odoo did nothing: the retry may run
            await self._write(lambda: self.store.release_idempotency(key, owner))
        else:
            await self._write(self._finish(key, owner, response))
        return response

    def _finish(
        self, key: bytes, owner: bytes, response: Response
    ) -> Callable[[], Awaitable[None]]:
        status, body = response.status_code, bytes(response.body)
        return lambda: self.store.finish_idempotency(key, owner, status, body)

    async def close(self) -> None:
        """At shutdown, before the store closes: store writes still being retried are
        given up (their keys answer 409, then ``outcome_unknown`` after the lease)."""
        if self._later:
            log.warning("idempotency: %d answers not stored at shutdown", len(self._later))
        for task in list(self._later):
            task.cancel()
        await asyncio.gather(*self._later, return_exceptions=True)

    async def _held(
        self,
        key: bytes,
        target: bytes,
        request_hash: bytes,
        status: int | None,
        body: bytes | None,
        now: float,
    ) -> Response:
        if request_hash != target:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was sent with a different request; use a new key"
            )
        if status is None or body is None:
            body = _abandoned()
            if not await self.store.abandon_idempotency(
                key, before=now - self.lease, status=OutcomeUnknown.status, body=body
            ):
                raise IdempotencyKeyInUse(
                    "a request with this Idempotency-Key is still running; retry shortly",
                    headers={"Retry-After": "1"},
                )
            status = OutcomeUnknown.status
        return Response(body, status_code=status, media_type=JSON, headers={REPLAYED: "true"})

    async def _write(self, write: Callable[[], Awaitable[None]]) -> None:
        """Finish or release a claim; if the store fails, keep trying in the background
        (for up to the lease) rather than fail a request Odoo has already answered."""
        try:
            await write()
        except TokenStoreError:
            task = asyncio.get_running_loop().create_task(self._retry(write))
            self._later.add(task)
            task.add_done_callback(self._later.discard)

    async def _retry(self, write: Callable[[], Awaitable[None]]) -> None:
        deadline = time.monotonic() + self.lease
        delay = 0.2
        while time.monotonic() + delay < deadline:
            await asyncio.sleep(delay)
            try:
                await write()
                return
            except TokenStoreError:
                delay = min(delay * 2, 1.0)  # the client's retries wait (409) meanwhile
        log.error("idempotency: the token store stayed down; a claim is left to its lease")
