"""Where a change feed reader stands, and how far back the next read must look.

A position is ``(second, id)``: every record stamped in an earlier second, and those
of that second up to that id, were sent. Odoo stores ``write_date`` with
microseconds but reads it back in whole seconds, so "the same second" is a range
(``>= s`` and ``< s + 1``), never an equality, and Odoo's ``write_date, id`` order
sorts by the hidden microseconds inside a second, not by id: see :func:`settle`.

Odoo stamps ``write_date`` with the *start* of the writing transaction, in whole
seconds. A transaction that began before a read but commits after it shows up
later with a stamp the reader has already passed. So a feed cannot simply continue
strictly after the last ``(write_date, id)`` it sent: it must re-read a safety
window. Done naively (rewind on every page) a burst bigger than a page would be
served again and again; here the rewind happens only once a reader has caught up
(a page shorter than the limit), back to ``window`` seconds before the first read
of the run of full pages that got it there. Every change committed after a read
and stamped no more than ``window`` seconds before that read is therefore sent
(at least once); a change is sent twice only when it was stamped within the
window of a catch-up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import BadRequest

STAMP = "%Y-%m-%d %H:%M:%S"


def stamp(moment: datetime) -> str:
    """Odoo's wire form of a UTC datetime, whole seconds."""
    return moment.astimezone(UTC).strftime(STAMP)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Position:
    """The last ``(write_date, id)`` sent (``None``: the start of time) and, inside a
    run of full pages, when the run's first page was read."""

    write_date: str | None = None
    id: int = 0
    run_started: str | None = None

    def values(self) -> list[Any]:
        return [self.write_date, self.id, self.run_started]

    @classmethod
    def from_values(cls, values: list[Any]) -> Position:
        wd, rid, started = values
        if not (wd is None or _is_stamp(wd)) or not isinstance(rid, int):
            raise BadRequest("since: not a cursor from this gateway")
        if not (started is None or _is_stamp(started)):
            raise BadRequest("since: not a cursor from this gateway")
        return cls(wd, rid, started)

    def after(self) -> list[Any]:
        """The domain of the records after this position (whatever their microseconds)."""
        if self.write_date is None:
            return []
        d, following = self.write_date, next_second(self.write_date)
        return ["|", ["write_date", ">=", following], *within(d), ["id", ">", self.id]]

    def advance(
        self, last: tuple[str, int] | None, *, full: bool, read_at: str, window: float
    ) -> Position:
        """The position to hand out after a page read at ``read_at`` ending at ``last``.

        Inside a run of full pages it simply moves on; when the page was not full the
        reader has caught up, and the position goes back to ``window`` seconds before
        the run's first read (never forward of where it was).
        """
        here = Position(*last) if last else Position(self.write_date, self.id)
        started = self.run_started or read_at
        if full:
            return Position(here.write_date, here.id, started)
        back = datetime.strptime(started, STAMP) - timedelta(seconds=math.ceil(window))
        rewind = (back.strftime(STAMP), 0)
        if here.write_date is None or rewind < (here.write_date, here.id):
            return Position(*rewind)
        return Position(here.write_date, here.id)


def next_second(moment: str) -> str:
    return (datetime.strptime(moment, STAMP) + timedelta(seconds=1)).strftime(STAMP)


def within(second: str) -> list[Any]:
    """The records stamped in ``second`` and one more leaf, which the caller appends."""
    return ["&", "&", ["write_date", ">=", second], ["write_date", "<", next_second(second)]]


Key = tuple[str, int]


def settle(keys: list[Key], *, full: bool) -> tuple[int, str | None]:
    """How many of a page's records (sorted by ``(second, id)``) may be sent, and the
    second that must be read again by id when that is none of them.

    A page ordered ``write_date, id`` holds, for every second but its last, all the
    records after the position; of its last second only those with the smallest
    microseconds, which are not the smallest ids. So a full page is sent up to its
    last second; a full page of a single second is read again ordered by id.
    """
    if not full or not keys:
        return len(keys), None
    last = keys[-1][0]
    kept = sum(1 for second, _ in keys if second < last)
    return (kept, None) if kept else (0, last)


def _is_stamp(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.strptime(value, STAMP)
    except ValueError:
        return False
    return True
