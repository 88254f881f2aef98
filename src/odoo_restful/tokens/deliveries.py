"""Webhook deliveries as the token store queues them (both back ends share these).

A delivery is one event for one subscription; its ``id`` (``msg_...``) is the
Standard Webhooks ``webhook-id``, the same on every retry and redelivery, so a
receiver dedupes on it. ``seq`` is the queue order: a record's later event waits
while an earlier one of the same subscription is pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "DELIVERY_COLUMNS",
    "DUE_DELIVERIES",
    "INSERT_COLUMNS",
    "LEASE_CLAIM",
    "Delivery",
    "DeliveryStatus",
    "delivery_from_row",
    "delivery_to_row",
]

DeliveryStatus = Literal["pending", "delivered", "failed"]

#: the columns written on insert (``seq`` is the store's)
INSERT_COLUMNS = (
    "id, subscription_id, record_id, event, payload, status, attempts, next_attempt_at, "
    "retry_from, last_status, last_error, created_at, delivered_at"
)
DELIVERY_COLUMNS = "seq, " + INSERT_COLUMNS

# Due rows, at most {per} per subscription (a slow receiver's backlog never hides the
# others'), only of active subscriptions, and never a record's later event while an
# earlier one of the same subscription is still pending (in order per record). Both
# dialects spell it alike; {0} is "now", {1} the total limit.
DUE_DELIVERIES = (
    f"SELECT {DELIVERY_COLUMNS} FROM (SELECT d.*, row_number() OVER "  # noqa: S608
    "(PARTITION BY d.subscription_id ORDER BY d.seq) AS n FROM webhook_deliveries d "
    "JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.active "
    "WHERE d.status = 'pending' AND d.next_attempt_at <= {0} AND NOT EXISTS ("
    "SELECT 1 FROM webhook_deliveries e WHERE e.subscription_id = d.subscription_id "
    "AND e.record_id = d.record_id AND e.status = 'pending' AND e.seq < d.seq)) AS due "
    "WHERE n <= {per} ORDER BY seq LIMIT {1}"
)

# Take the lease when it is free, expired or already ours ({0} name, {1} holder, {2}
# expiry, {3} now); a row changed means we hold it.
LEASE_CLAIM = (
    "INSERT INTO webhook_leases (name, holder, expires_at) VALUES ({0}, {1}, {2}) "
    "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = "
    "excluded.expires_at WHERE webhook_leases.holder = excluded.holder OR "
    "webhook_leases.expires_at <= {3}"
)


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    subscription_id: str
    record_id: int
    event: str
    payload: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: float
    retry_from: float
    last_status: int | None
    last_error: str | None
    created_at: float
    delivered_at: float | None
    seq: int = 0  # set by the store


def delivery_to_row(d: Delivery) -> tuple[Any, ...]:
    """Column values in ``INSERT_COLUMNS`` order."""
    return (
        d.id,
        d.subscription_id,
        d.record_id,
        d.event,
        d.payload,
        d.status,
        d.attempts,
        d.next_attempt_at,
        d.retry_from,
        d.last_status,
        d.last_error,
        d.created_at,
        d.delivered_at,
    )


def delivery_from_row(row: Sequence[Any]) -> Delivery:
    """A row selected with ``DELIVERY_COLUMNS``."""
    return Delivery(
        seq=int(row[0]),
        id=row[1],
        subscription_id=row[2],
        record_id=int(row[3]),
        event=row[4],
        payload=row[5],
        status=row[6],
        attempts=int(row[7]),
        next_attempt_at=float(row[8]),
        retry_from=float(row[9]),
        last_status=None if row[10] is None else int(row[10]),
        last_error=row[11],
        created_at=float(row[12]),
        delivered_at=None if row[13] is None else float(row[13]),
    )
