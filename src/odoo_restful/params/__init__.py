"""Request parameter parsing: the one place where client input becomes plain Python.

Route handlers hand over plain values (bytes, strings, mappings: no Starlette
objects) and get back validated data or an :class:`errors.BadRequest` naming the
parameter. Nothing else may escape: parsing errors, ``RecursionError`` and
``MemoryError`` from hostile input are all turned into 400s here, so a handler
never has to guard against them.

The seed (the Odoo 12 ``restful`` module) sends Python-literal strings for
domains, field lists and x2many commands. They are read with
``ast.literal_eval`` after a size cap and checked to be plain data; code is never
evaluated. JSON is always accepted as well and is tried first.

The pieces live in submodules (``limits``, ``literal``, ``body``, ``domain``,
``names``, ``numbers``, ``calls``, ``fields_spec``, ``aggregates``); import them
from here, not from there.
"""

from __future__ import annotations

from .aggregates import parse_aggregates, parse_group_order, parse_groupby, parse_having
from .body import Body, decode_body, merge_sources, single_values
from .budget import ParseBudget, open_budget
from .calls import parse_args_kwargs, parse_context
from .domain import DOMAIN_OPERATORS, parse_domain
from .fields_spec import MAX_TREE_DEPTH as MAX_TREE_DEPTH
from .fields_spec import MAX_TREE_FIELDS as MAX_TREE_FIELDS
from .fields_spec import FieldTree, is_nested, parse_field_tree
from .limits import MAX_ARGS_CHARS as MAX_ARGS_CHARS
from .limits import MAX_CONTEXT_KEYS as MAX_CONTEXT_KEYS
from .limits import MAX_DEPTH as MAX_DEPTH
from .limits import MAX_FIELDS as MAX_FIELDS
from .limits import MAX_FORM_FIELDS as MAX_FORM_FIELDS
from .limits import MAX_IDS as MAX_IDS
from .limits import MAX_LITERAL_CHARS as MAX_LITERAL_CHARS
from .limits import MAX_METHOD_CHARS as MAX_METHOD_CHARS
from .limits import MAX_MODEL_CHARS as MAX_MODEL_CHARS
from .limits import MAX_NODES as MAX_NODES
from .limits import MAX_OFFSET as MAX_OFFSET
from .limits import MAX_ORDER_CHARS as MAX_ORDER_CHARS
from .limits import MAX_ORDER_TERMS as MAX_ORDER_TERMS
from .limits import MAX_PARSE_CHARS as MAX_PARSE_CHARS
from .limits import MAX_PATH_CHARS as MAX_PATH_CHARS
from .limits import MAX_RECORD_ID as MAX_RECORD_ID
from .literal import is_field_name, parse_literal, short_repr, to_plain_data
from .names import (
    DEFAULT_METHOD_DENY,
    check_method_name,
    parse_fields,
    parse_model_name,
    parse_names,
    parse_order,
)
from .numbers import parse_flag, parse_id, parse_ids, parse_int, parse_limit_offset

__all__ = [
    "DEFAULT_METHOD_DENY",
    "DOMAIN_OPERATORS",
    "Body",
    "FieldTree",
    "ParseBudget",
    "check_method_name",
    "decode_body",
    "is_field_name",
    "is_nested",
    "merge_sources",
    "open_budget",
    "parse_aggregates",
    "parse_args_kwargs",
    "parse_context",
    "parse_domain",
    "parse_field_tree",
    "parse_fields",
    "parse_flag",
    "parse_group_order",
    "parse_groupby",
    "parse_having",
    "parse_id",
    "parse_ids",
    "parse_int",
    "parse_limit_offset",
    "parse_literal",
    "parse_model_name",
    "parse_names",
    "parse_order",
    "short_repr",
    "single_values",
    "to_plain_data",
]
