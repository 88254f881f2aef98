"""Integers, record ids and paging: bounded so that nothing is silently clamped."""

from __future__ import annotations

from typing import Any

from ..errors import BadRequest
from .limits import ID_RE, INT_RE, MAX_IDS, MAX_OFFSET, MAX_RECORD_ID
from .lists import list_items
from .literal import is_int, short_repr

# --- numbers and ids ----------------------------------------------------------------


def parse_int(
    value: Any,
    *,
    name: str,
    minimum: int = 0,
    maximum: int | None = None,
    default: int | None = None,
) -> int | None:
    """An integer from an int or a decimal string; None or "" give ``default``.

    Booleans and floats are refused: ``true`` as a limit is a client bug.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if is_int(value):
        number = int(value)
    elif isinstance(value, str) and INT_RE.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise BadRequest(f"{name} must be an integer, got {short_repr(value)}")
    if number < minimum:
        raise BadRequest(f"{name} must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise BadRequest(f"{name} must be at most {maximum}")
    return number


def parse_flag(value: Any, *, name: str) -> bool:
    """A yes/no parameter: true/false, 1/0, yes/no, or a JSON boolean; absent is false."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _FLAGS:
        return _FLAGS[value.strip().lower()]
    raise BadRequest(f"{name} must be true or false, got {short_repr(value)}")


_FLAGS = {"": False, "0": False, "false": False, "no": False, "1": True, "true": True, "yes": True}


def parse_limit_offset(
    limit: Any,
    offset: Any,
    *,
    default_limit: int = 80,
    max_limit: int = 1000,
) -> tuple[int, int]:
    """Page size and start; bounded, never silently changed.

    A limit above ``max_limit`` is a 400 rather than clamped, so that a client never
    mistakes a short page for the end of the data. ``limit=0`` (Odoo's "no limit")
    is refused for the same reason: unbounded reads are not offered.
    """
    number = parse_int(limit, name="limit", minimum=-(2**63), default=default_limit)
    assert number is not None
    if not 1 <= number <= max_limit:
        # One message for every limit out of range (0, negative, too large).
        raise BadRequest(
            f"limit must be between 1 and {max_limit}, got {number} (no unbounded reads "
            "such as Odoo's 0: page with offset instead)"
        )
    start = parse_int(offset, name="offset", minimum=0, maximum=MAX_OFFSET, default=0)
    assert start is not None
    return number, start


def _checked_id(value: Any, *, name: str) -> int:
    if not (is_int(value) or (isinstance(value, str) and ID_RE.fullmatch(value))):
        raise BadRequest(f"{name} must be a positive integer, got {short_repr(value)}")
    number = int(value)
    if not 1 <= number <= MAX_RECORD_ID:
        raise BadRequest(f"{name} must be a positive integer (1 to {MAX_RECORD_ID})")
    return number


def parse_id(text: str) -> int:
    """A record id from a URL path segment; BadRequest lets the route pick 400 or 404."""
    if isinstance(text, str) or is_int(text):
        return _checked_id(text, name="id")
    raise BadRequest("id must be a positive integer")


def parse_ids(value: Any, *, name: str = "ids", max_ids: int = MAX_IDS) -> list[int]:
    """Record ids from ``1,2,3``, a JSON/literal list or a single int; duplicates dropped."""
    if value is None:
        return []
    if is_int(value):
        return [_checked_id(value, name=name)]
    items = (
        list_items(value, what=name, max_items=max_ids, max_chars=max_ids * 16, noun="integers")
        or []
    )
    literal = isinstance(value, str) and value.strip()[:1] in ("[", "(")
    if (literal or not isinstance(value, str)) and any(not is_int(item) for item in items):
        raise BadRequest(f"{name} must be a list of integers")
    ids = {_checked_id(item, name=f"{name} item"): None for item in items}
    return list(ids)
