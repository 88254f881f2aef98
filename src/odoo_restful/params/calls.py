"""Method-call inputs: the Odoo context and positional/keyword arguments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import BadRequest
from .limits import MAX_ARGS_CHARS, MAX_CONTEXT_KEYS
from .literal import is_field_name, literal_or_value, parse_literal, short_repr, to_plain_data

# --- context, method calls ----------------------------------------------------------


def parse_context(value: Any) -> dict[str, Any]:
    """An Odoo context from a JSON object or a literal string; keys must be names.

    Only its shape is checked: Odoo applies access rights whatever the context
    says (``allowed_company_ids`` is checked against the user's companies).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, str):
        data = parse_literal(value, what="context", max_depth=8, max_nodes=1000)
    elif isinstance(value, Mapping):
        data = to_plain_data(value, what="context", max_depth=8, max_nodes=1000)
    else:
        raise BadRequest("context must be an object")
    if not isinstance(data, dict):
        raise BadRequest("context must be an object")
    if len(data) > MAX_CONTEXT_KEYS:
        raise BadRequest(f"context has too many keys (max {MAX_CONTEXT_KEYS})")
    for key in data:
        if not is_field_name(key):
            raise BadRequest(f"context: invalid key {short_repr(key)}")
    return data


def parse_args_kwargs(args: Any, kwargs: Any) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments of a method call, as plain data.

    Each accepts JSON or a literal string; keyword names must be identifiers, and a
    ``context`` keyword is checked as a context.
    """
    if args is None or (isinstance(args, str) and not args.strip()):
        arg_list: Any = []
    else:
        arg_list = literal_or_value(args, what="args", max_chars=MAX_ARGS_CHARS)
    if not isinstance(arg_list, list):
        raise BadRequest("args must be a list")
    if kwargs is None or (isinstance(kwargs, str) and not kwargs.strip()):
        kwarg_map: Any = {}
    else:
        kwarg_map = literal_or_value(kwargs, what="kwargs", max_chars=MAX_ARGS_CHARS)
    if not isinstance(kwarg_map, dict):
        raise BadRequest("kwargs must be an object")
    for key in kwarg_map:
        if not is_field_name(key):
            raise BadRequest(f"kwargs: invalid argument name {short_repr(key)}")
    if "context" in kwarg_map:
        kwarg_map["context"] = parse_context(kwarg_map["context"])
    return arg_list, kwarg_map
