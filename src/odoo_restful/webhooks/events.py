"""What the watcher keeps per subscription and the events it queues.

``WatchState`` is saved with the events it produced in one store transaction, so a
gateway killed at any point resumes from a state that matches its queue.

- ``position``: the change feed position (``feed.position``) this subscription has
  read up to. After catching up it rewinds ``--feed-window`` seconds, so recent
  changes are read again; ``recent`` (id -> digest of what was last queued, for the
  records in that window) keeps them from being queued twice.
- ``tracked``: ids of records this subscription has matched, newest last, at most
  ``MAX_TRACKED``: the deletion check asks Odoo which of them are gone (Odoo keeps no
  tombstones), and a tracked record's change is ``updated``, never ``created``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from ..feed.position import Position
from ..tokens.deliveries import Delivery

MAX_TRACKED = 5000


@dataclass(slots=True)
class WatchState:
    position: Position
    tracked: list[int] = field(default_factory=list)
    recent: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (write_date, digest)

    def to_json(self) -> str:
        return orjson.dumps(
            {
                "position": self.position.values(),
                "tracked": self.tracked,
                "recent": {str(k): list(v) for k, v in self.recent.items()},
            }
        ).decode()

    @classmethod
    def from_json(cls, text: str) -> WatchState:
        raw = orjson.loads(text)
        return cls(
            Position.from_values(list(raw["position"])),
            [int(i) for i in raw.get("tracked", [])],
            {int(k): (str(v[0]), str(v[1])) for k, v in raw.get("recent", {}).items()},
        )

    def track(self, rid: int) -> bool:
        """Remember ``rid``; True when it was tracked already."""
        if rid in self.tracked:
            return True
        self.tracked.append(rid)
        if len(self.tracked) > MAX_TRACKED:
            del self.tracked[: len(self.tracked) - MAX_TRACKED]
        return False

    def remember(self, rid: int, write_date: str, mark: str) -> bool:
        """Note what is queued for ``rid``; False when exactly that was queued already."""
        if self.recent.get(rid, ("", ""))[1] == mark:
            return False
        self.recent[rid] = (write_date, mark)
        return True

    def prune(self) -> None:
        """Forget digests of records stamped before the position: they are not read again."""
        floor = self.position.write_date or ""
        self.recent = {rid: v for rid, v in self.recent.items() if v[0] >= floor}

    def forget(self, gone: set[int]) -> None:
        self.tracked = [i for i in self.tracked if i not in gone]
        for rid in gone:
            self.recent.pop(rid, None)


def digest(record: dict[str, Any]) -> str:
    """A short fingerprint of a record's values: the same change read twice (the feed's
    window) is queued once, a second write within one second still goes out."""
    return hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()[:24]


def new_id() -> str:
    """A Standard Webhooks message id (``webhook-id``), kept across retries."""
    return "msg_" + secrets.token_urlsafe(18)


def payload(event: str, model: str, rid: int, record: dict[str, Any] | None, now: float) -> str:
    """The JSON body: ``type``, ``timestamp`` and ``data`` as Standard Webhooks recommends."""
    data: dict[str, Any] = {"model": model, "id": rid}
    if record is not None:
        data["record"] = record
    body = {
        "type": f"record.{event}",
        "timestamp": datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z"),
        "data": data,
    }
    return orjson.dumps(body).decode()


def delivery(
    sub_id: str, event: str, model: str, rid: int, record: dict[str, Any] | None, now: float
) -> Delivery:
    return Delivery(
        id=new_id(),
        subscription_id=sub_id,
        record_id=rid,
        event=event,
        payload=payload(event, model, rid, record, now),
        status="pending",
        attempts=0,
        next_attempt_at=now,
        retry_from=now,
        last_status=None,
        last_error=None,
        created_at=now,
        delivered_at=None,
    )
