"""The watcher: reads Odoo's changes for the active subscriptions and queues events.

Subscriptions are grouped by ``(db, uid, model)``; each group costs Odoo, per poll:

- one ``search_read`` of the change feed (``feed.read_page``) for the whole group,
  from the oldest position of its members, with the union of their fields and, when
  they all share one domain, that domain;
- when members' domains differ, one ``search`` of ``id in <page ids> AND domain`` per
  member with a domain (the page's records are filtered by Odoo itself, rights and
  all; the domain never has to be evaluated here);
- when a member asks for ``deleted`` events and tracks ids, one ``search`` of
  ``id in <tracked ids>`` (``active_test: false``) for the group: what is missing was
  deleted, or hidden from the user by a record rule since (the same thing to them).

All calls run as the subscription's user, with the credential sealed in the
subscription (see ``credential``). A subscription stops (paused, with a note) when
its user holds no live token any more or Odoo refuses the credential, and alone when
Odoo refuses its own domain (a field or external id gone since it was made): one
broken subscription never holds back the others of its group.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from .. import feed
from ..errors import (
    AccessDenied,
    GatewayError,
    InvalidToken,
    OdooError,
    SessionExpired,
    Unauthorized,
    UpstreamError,
)
from ..feed.position import Position, stamp
from ..odoo.base import Credential
from ..tokens.deliveries import Delivery
from ..tokens.subscriptions import Subscription
from . import credential
from .events import WatchState, delivery, digest

if TYPE_CHECKING:
    from ..gateway import Gateway

log = logging.getLogger("odoo_restful.webhooks")

PAGE = 200  # records read per group and poll (a full page reads on at once)
QUEUE_FULL = "queue full"
FAILING = "failing"  # Odoo refuses the read (not the credential): tried again each poll
Group = tuple[str, int, str]
_ALWAYS = ("write_date", "create_date", "active")


class Watcher:
    def __init__(self, gw: Gateway, *, clock: Callable[[], float] = time.time) -> None:
        self.gw = gw
        self.store = gw.tokens.store
        self.clock = clock

    async def poll(self) -> tuple[int, bool]:
        """One read of every group: ``(events queued, a page was full)``."""
        groups: dict[Group, list[Subscription]] = defaultdict(list)
        for sub in await self.store.list_subscriptions():
            if sub.active:
                groups[(sub.db, sub.uid, sub.model)].append(sub)
        queued, more = 0, False
        for key, subs in groups.items():
            try:
                n, full = await self._group(key, subs)
            except GatewayError as exc:
                log.warning("webhooks: reading %s as uid %d failed: %s", key[2], key[1], exc)
                if isinstance(exc, OdooError):  # Odoo said no (rights, model): show why
                    why = f"{FAILING}: {exc.message}"
                    for sub in subs:
                        if sub.note != why:
                            await self.store.note_subscription(sub.id, why)
                continue
            queued += n
            more = more or full
        return queued, more

    async def _group(self, key: Group, subs: list[Subscription]) -> tuple[int, bool]:
        model = key[2]
        cred = await self._credential(subs)
        if cred is None:
            return 0, False
        members: list[tuple[Subscription, WatchState]] = []
        for sub in subs:
            pending = await self.store.pending_deliveries(sub.id)
            if pending >= self.gw.settings.webhook_max_queue:
                if not sub.note.startswith(QUEUE_FULL):
                    await self.store.note_subscription(
                        sub.id,
                        f"{QUEUE_FULL}: {pending} deliveries pending (--webhook-max-queue); "
                        "changes are read again once they drain, none is lost",
                    )
                continue
            if sub.note.startswith(QUEUE_FULL):
                await self.store.note_subscription(sub.id, "")
            members.append((sub, await self._state(sub)))
        if not members:
            return 0, False
        try:
            done = await self._read(cred, model, members)
        except (AccessDenied, Unauthorized) as exc:
            await self._stop(subs, f"stopped: Odoo refused the credential ({exc.message})")
            return 0, False
        for sub, _ in members:
            if sub.note.startswith(FAILING):
                await self.store.note_subscription(sub.id, "")
        return done

    async def _credential(self, subs: list[Subscription]) -> Credential | None:
        """The group's credential (its newest subscription's), or None after stopping
        the group because its user has no live token or the credential is unreadable."""
        db, uid = subs[0].db, subs[0].uid
        now = self.clock()
        tokens = await self.store.list(db=db, uid=uid)
        if not any(not t.revoked and not t.is_expired(now) for t in tokens):
            await self._stop(subs, "stopped: every token of its user is revoked or expired")
            return None
        newest = max(subs, key=lambda s: (s.cred_enc is not None, s.created_at))
        key = self.gw.tokens.server_secrets.by_key_id(newest.key_id)
        try:
            cred = None if key is None else credential.unseal(key, newest)
        except InvalidToken:
            cred = None
        if cred is None:
            await self._stop(
                subs, "stopped: no usable credential; resume it (PATCH active=true) to renew"
            )
        elif cred.kind == "session":  # Odoo 19 rotates it: keep the new id (see credential)
            secrets = self.gw.tokens.server_secrets
            follow = credential.Rotation(self.store, secrets, subs, cred.secret)
            cred = replace(cred, follow=follow)
        return cred

    async def _stop(self, subs: list[Subscription], why: str) -> None:
        for sub in subs:
            log.warning("webhooks: subscription %s %s", sub.id, why)
            await self.store.note_subscription(sub.id, why, stop=True)

    async def _state(self, sub: Subscription) -> WatchState:
        saved = await self.store.load_watch(sub.id)
        if saved is not None:
            return WatchState.from_json(saved)
        # from the second the subscription was made, less the feed's window (clock skew)
        start = sub.created_at - self.gw.settings.feed_window
        return WatchState(Position(stamp_of(start), 0))

    async def _read(
        self, cred: Credential, model: str, members: list[tuple[Subscription, WatchState]]
    ) -> tuple[int, bool]:
        gw = self.gw
        known = await gw.fields.get(cred, model)
        per_sub: dict[str, list[str]] = {}
        for sub, _ in members:
            names = sub.fields
            if names is None:
                names = await gw.fields.default_fields(cred, model)
            per_sub[sub.id] = [n for n in names if n in known]
        wanted = list(dict.fromkeys(n for names in per_sub.values() for n in names))
        wanted += [f for f in _ALWAYS if f in known and f not in wanted]
        domains: dict[str, list[Any]] = {}
        for sub, state in list(members):
            try:
                domains[sub.id] = await gw.xmlids.resolve_domain(cred, model, sub.domain)
            except OdooError as exc:  # an external id gone since
                await self._refused(sub, exc)
                members.remove((sub, state))
        if not members:
            return 0, False
        shared = len({_text(d) for d in domains.values()}) == 1
        start = min((state.position for _, state in members), key=_order)
        records, after, full = await feed.read_page(
            gw,
            cred,
            model,
            start,
            fields=wanted,
            domain=next(iter(domains.values())) if shared else [],
            limit=PAGE,
            context={},
        )
        ids = [int(r["id"]) for r in records]
        matched: dict[str, set[int]] = {}
        for sub, state in list(members):
            if shared or not domains[sub.id] or not ids:
                matched[sub.id] = set(ids)
                continue
            domain = [["id", "in", ids], *domains[sub.id]]
            try:
                matched[sub.id] = set(await self._search(cred, model, domain))
            except OdooError as exc:  # its own domain: the group reads on without it
                await self._refused(sub, exc)
                members.remove((sub, state))
        gone = await self._deleted(cred, model, members)
        now = self.clock()
        queued = 0
        for sub, state in members:
            events = self._events(sub, state, model, records, matched[sub.id], per_sub[sub.id], now)
            mine = gone & set(state.tracked)
            if mine:
                state.forget(mine)
                if "deleted" in sub.events:
                    events += [
                        delivery(sub.id, "deleted", model, i, None, now) for i in sorted(mine)
                    ]
            if _order(after) >= _order(state.position):
                state.position = after
            state.prune()
            await self.store.queue_deliveries(sub.id, events, state.to_json())
            queued += len(events)
        return queued, full

    def _events(
        self,
        sub: Subscription,
        state: WatchState,
        model: str,
        records: list[dict[str, Any]],
        matched: set[int],
        names: list[str],
        now: float,
    ) -> list[Delivery]:
        """The created/updated events of one page for one subscription."""
        out: list[Delivery] = []
        for rec in records:
            rid = int(rec["id"])
            if rid not in matched or _order_key(rec) <= _order(state.position):
                continue
            shown = {k: rec[k] for k in ("id", *names, "write_date") if k in rec}
            if not state.remember(rid, str(rec.get("write_date") or ""), digest(shown)):
                continue  # read again inside the feed's window: already queued
            event = "updated" if state.track(rid) else _created_or_updated(rec, state)
            if event in sub.events:
                out.append(delivery(sub.id, event, model, rid, shown, now))
        return out

    async def _refused(self, sub: Subscription, exc: OdooError) -> None:
        """Stop one subscription whose own domain Odoo refuses (a field or external id
        gone since), so that it never holds back the others of its group; a refused
        credential is the whole group's matter (see ``_group``)."""
        if isinstance(exc, AccessDenied | SessionExpired):
            raise exc
        await self._stop([sub], f"stopped: Odoo refuses its domain ({exc.message})")

    async def _deleted(
        self, cred: Credential, model: str, members: list[tuple[Subscription, WatchState]]
    ) -> set[int]:
        tracked = sorted({i for sub, st in members if "deleted" in sub.events for i in st.tracked})
        if not tracked:
            return set()
        found = await self._search(cred, model, [["id", "in", tracked]])
        return set(tracked) - set(found)

    async def _search(self, cred: Credential, model: str, domain: list[Any]) -> list[int]:
        found = await self.gw.odoo.call(
            cred, model, "search", [domain], {"context": {"active_test": False}}
        )
        if not isinstance(found, list) or not all(isinstance(i, int) for i in found):
            raise UpstreamError("Odoo's search reply is not a list of ids")
        return found


def stamp_of(moment: float) -> str:
    return stamp(datetime.fromtimestamp(moment, UTC))


def _text(domain: list[Any]) -> str:
    return orjson.dumps(domain).decode()


def _order(pos: Position) -> tuple[str, int]:
    return (pos.write_date or "", pos.id)


def _order_key(rec: dict[str, Any]) -> tuple[str, int]:
    return (str(rec.get("write_date") or ""), int(rec["id"]))


def _created_or_updated(rec: dict[str, Any], state: WatchState) -> str:
    """A record not tracked yet: created when Odoo says it was made in its last write or
    after this subscription's position (a create and its quick edits are one event)."""
    created, written = rec.get("create_date"), rec.get("write_date")
    if not isinstance(created, str):
        return "updated"
    floor = state.position.write_date or ""
    return "created" if created == written or created >= floor else "updated"
