"""``odoo-restful webhooks ...``: webhook subscriptions for operators (never secrets)."""

from __future__ import annotations

import click

from .cli_tokens import _run, _store_option, _when


@click.group()
def webhooks() -> None:
    """List webhook subscriptions."""


@webhooks.command(name="list")
@click.option("--db", default=None, help="Only this database.")
@click.option("--uid", default=None, type=int, help="Only this Odoo user id.")
@_store_option
def list_(db: str | None, uid: int | None, store: str) -> None:
    """List subscriptions: id, user, model, events, URL, created, status."""
    subs = _run(lambda s: s.list_subscriptions(db=db, uid=uid), store)
    header = ("ID", "DB", "UID", "MODEL", "EVENTS", "URL", "CREATED", "STATUS")
    rows = [header] + [
        (
            s.id,
            s.db,
            str(s.uid),
            s.model,
            ",".join(s.events),
            s.url,
            _when(s.created_at),
            "active" if s.active else "paused",
        )
        for s in subs
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
