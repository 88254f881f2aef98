"""One parse budget per request: the total characters of literal and JSON text that the
parameters of one request may make the gateway read.

Each parser has its own size cap; this bounds their sum, so a body of many parameters,
each under its cap (128 ``__api__`` values of 8 KB), is refused after bounded work
instead of holding the event loop. ``routes.common.request_params`` opens the budget
when it first parses a request; every ``parse_literal`` in that request's task (and the
tasks it starts) charges it. Outside a request (the CLI, unit tests) nothing is charged.
"""

from __future__ import annotations

from contextvars import ContextVar

from ..errors import BadRequest
from .limits import MAX_PARSE_CHARS

_current: ContextVar[ParseBudget | None] = ContextVar("odoo_restful_parse_budget", default=None)


class ParseBudget:
    """Characters left to parse in one request; refuses (400) once they are spent."""

    __slots__ = ("limit", "spent")

    def __init__(self, limit: int = MAX_PARSE_CHARS) -> None:
        self.limit = limit
        self.spent = 0

    def charge(self, chars: int, what: str) -> None:
        self.spent += chars
        if self.spent > self.limit:
            raise BadRequest(
                f"{what}: the request's parameters are too large to parse in total "
                f"(max {self.limit} characters of literals)"
            )


def open_budget(limit: int = MAX_PARSE_CHARS) -> ParseBudget:
    """Start the current request's budget (in this task and the tasks it starts)."""
    budget = ParseBudget(limit)
    _current.set(budget)
    return budget


def charge(chars: int, what: str) -> None:
    """Spend ``chars`` of the current request's budget, if a request is being served."""
    budget = _current.get()
    if budget is not None:
        budget.charge(chars, what)
