"""One reader for list parameters: ``a,b,c`` or a JSON/Python-literal list."""

from __future__ import annotations

from typing import Any

from ..errors import BadRequest
from .literal import parse_literal


def list_items(
    value: Any, *, what: str, max_items: int, max_chars: int, noun: str = "names"
) -> list[Any] | None:
    """The raw items of a list parameter; None when it is absent or a blank string.

    An explicit empty list (``[]``) stays an empty list: for an allow-list it means
    "nothing", which must never be read as "anything".

    A string starting with ``[`` or ``(`` is read as a JSON or Python literal;
    any other string is split on commas. A list (from a JSON body) is taken as
    is. The items are not checked here: each parameter checks its own kind.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text[0] in "[(":
            items = parse_literal(text, what=what, max_chars=max_chars)
        else:
            if len(text) > max_chars:
                raise BadRequest(f"{what} is too long (max {max_chars} characters)")
            items = [part.strip() for part in text.split(",")]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise BadRequest(f"{what} must be a list of {noun}")
    if not isinstance(items, list):
        raise BadRequest(f"{what} must be a list of {noun}")
    if len(items) > max_items:
        raise BadRequest(f"{what} has too many items (max {max_items})")
    return items
