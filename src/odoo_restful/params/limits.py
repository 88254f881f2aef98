"""Caps and regex patterns shared by the parsers, kept in one place so they stay in step."""

from __future__ import annotations

import re
from typing import Final

# --- limits ------------------------------------------------------------------

MAX_LITERAL_CHARS: Final = 8192
MAX_DEPTH: Final = 32
MAX_NODES: Final = 10_000
MAX_FIELDS: Final = 1000
MAX_IDS: Final = 1000
MAX_PATH_CHARS: Final = 256
MAX_ORDER_CHARS: Final = 1024
MAX_ORDER_TERMS: Final = 32
MAX_CONTEXT_KEYS: Final = 64
MAX_FORM_FIELDS: Final = 1000
MAX_METHOD_CHARS: Final = 128
MAX_MODEL_CHARS: Final = 128
MAX_ARGS_CHARS: Final = 32_768
# Literal text one request may make the gateway parse, all parameters together.
MAX_PARSE_CHARS: Final = 256 * 1024
# Odoo ids are PostgreSQL ``serial`` (int4) columns.
MAX_RECORD_ID: Final = 2**31 - 1
MAX_OFFSET: Final = 2**31 - 1
# orjson (used to talk to Odoo) cannot encode integers outside 64 bits.
_INT_MIN: Final = -(2**63)
_INT_MAX: Final = 2**64 - 1

# --- patterns (all used with fullmatch; ASCII only) ----------------------------

_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
FIELD_NAME_RE: Final = re.compile(_NAME, re.ASCII)
FIELD_PATH_RE: Final = re.compile(rf"{_NAME}(?:\.{_NAME})*", re.ASCII)
METHOD_RE: Final = re.compile(r"[a-zA-Z][a-zA-Z0-9_]*", re.ASCII)
MODEL_RE: Final = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*", re.ASCII)
INT_RE: Final = re.compile(r"[+-]?[0-9]{1,19}", re.ASCII)
ID_RE: Final = re.compile(r"[0-9]{1,10}", re.ASCII)
ORDER_TERM_RE: Final = re.compile(
    rf"(?P<field>{_NAME}(?:\.{_NAME})?)"
    r"(?:\s+(?P<direction>asc|desc))?"
    r"(?:\s+nulls\s+(?P<nulls>first|last))?",
    re.ASCII | re.IGNORECASE,
)
