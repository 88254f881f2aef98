"""The in-memory tables: rows per model, id sequences and an undo log for rollback.

Every RPC call runs in a transaction: if it raises, every row change it made is
undone, so a failing create or write leaves nothing behind. Id sequences are not
rolled back, as in PostgreSQL: a failed create consumes its id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Row = dict[str, Any]
_ABSENT: Any = object()


class Store:
    def __init__(self) -> None:
        self.tables: dict[str, dict[int, Row]] = {}
        self._sequences: dict[str, int] = {}
        self._undo: list[Callable[[], None]] | None = None

    def table(self, model: str) -> dict[int, Row]:
        return self.tables.setdefault(model, {})

    def set_sequence(self, model: str, next_id: int) -> None:
        self._sequences[model] = next_id

    def next_id(self, model: str) -> int:
        """The next id of ``model``'s sequence, skipping ids already taken by seed rows."""
        rows = self.table(model)
        candidate = self._sequences.get(model) or (max(rows, default=0) + 1)
        while candidate in rows:
            candidate += 1
        self._sequences[model] = candidate + 1
        return candidate

    # --- mutations (logged for rollback) ---

    def insert(self, model: str, rid: int, row: Row) -> None:
        rows = self.table(model)
        rows[rid] = row

        def undo() -> None:
            rows.pop(rid, None)

        self._log(undo)

    def set(self, model: str, rid: int, fname: str, value: Any) -> None:
        row = self.tables[model][rid]
        old = row.get(fname, _ABSENT)
        if old is value:
            return
        row[fname] = value

        def undo() -> None:
            if old is _ABSENT:
                row.pop(fname, None)
            else:
                row[fname] = old

        self._log(undo)

    def delete(self, model: str, rid: int) -> None:
        rows = self.tables[model]
        row = rows.pop(rid)

        def undo() -> None:
            rows[rid] = row

        self._log(undo)

    def _log(self, undo: Callable[[], None]) -> None:
        if self._undo is not None:
            self._undo.append(undo)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Undo every change made inside the block if it raises (re-entrant)."""
        if self._undo is not None:
            yield
            return
        self._undo = []
        try:
            yield
        except BaseException:
            for undo in reversed(self._undo):
                undo()
            raise
        finally:
            self._undo = None
