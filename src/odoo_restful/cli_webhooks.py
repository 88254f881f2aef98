"""``odoo-restful webhooks ...``: webhook subscriptions and their deliveries for
operators (never a secret)."""

from __future__ import annotations

from collections.abc import Sequence

import click

from .cli_tokens import _run, _store_option, _when
from .tokens.deliveries import Delivery
from .tokens.store import TokenStore
from .webhooks.manage import status


@click.group()
def webhooks() -> None:
    """List, pause, resume and delete webhook subscriptions; show their deliveries."""


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    every = [tuple(header), *(tuple(r) for r in rows)]
    widths = [max(len(row[i]) for row in every) for i in range(len(header))]
    for row in every:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@webhooks.command(name="list")
@click.option("--db", default=None, help="Only this database.")
@click.option("--uid", default=None, type=int, help="Only this Odoo user id.")
@_store_option
def list_(db: str | None, uid: int | None, store: str) -> None:
    """List subscriptions: id, user, model, events, URL, created, status."""
    subs = _run(lambda s: s.list_subscriptions(db=db, uid=uid), store)
    header = ("ID", "DB", "UID", "MODEL", "EVENTS", "URL", "CREATED", "STATUS")
    _table(
        header,
        [
            (
                s.id,
                s.db,
                str(s.uid),
                s.model,
                ",".join(s.events),
                s.url,
                _when(s.created_at),
                status(s),
            )
            for s in subs
        ],
    )


@webhooks.command()
@click.argument("sub_id")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@_store_option
def deliveries(sub_id: str, limit: int, store: str) -> None:
    """A subscription's recent deliveries, newest first."""

    async def read(s: TokenStore) -> list[Delivery] | None:
        if await s.get_subscription(sub_id) is None:
            return None
        return await s.list_deliveries(sub_id, limit=limit)

    rows = _run(read, store)
    if rows is None:  # as pause/resume/delete say, not an empty table
        raise click.ClickException(f"no webhook subscription {sub_id!r}")
    header = ("ID", "EVENT", "RECORD", "STATUS", "ATTEMPTS", "LAST", "CREATED", "DELIVERED")
    _table(
        header,
        [
            (
                d.id,
                d.event,
                str(d.record_id),
                d.status,
                str(d.attempts),
                (str(d.last_status or "") + " " + (d.last_error or "")).strip() or "-",
                _when(d.created_at),
                _when(d.delivered_at),
            )
            for d in rows
        ],
    )


async def _change(s: TokenStore, sub_id: str, action: str) -> bool:
    sub = await s.get_subscription(sub_id)
    if sub is None:
        return False
    if action == "delete":
        return await s.delete_subscription(sub.id, sub.db, sub.uid)
    return await s.set_subscription_active(sub.id, sub.db, sub.uid, action == "resume")


def _act(sub_id: str, store: str, action: str) -> None:
    if not _run(lambda s: _change(s, sub_id, action), store):
        raise click.ClickException(f"no webhook subscription {sub_id!r}")
    click.echo(f"{action}d {sub_id}")


@webhooks.command()
@click.argument("sub_id")
@_store_option
def pause(sub_id: str, store: str) -> None:
    """Pause a subscription: changes are not read, deliveries wait."""
    _act(sub_id, store, "pause")


@webhooks.command()
@click.argument("sub_id")
@_store_option
def resume(sub_id: str, store: str) -> None:
    """Resume a subscription (with the credential it has; its user's own resume renews it)."""
    _act(sub_id, store, "resume")


@webhooks.command()
@click.argument("sub_id")
@_store_option
def delete(sub_id: str, store: str) -> None:
    """Delete a subscription with its queue."""
    _act(sub_id, store, "delete")
