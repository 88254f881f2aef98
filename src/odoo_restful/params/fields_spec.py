"""Nested field lists: ``name,partner_id{name,email},order_line{price_unit}``.

The same tree may come as JSON in Odoo 17+'s specification shape,
``{"name": {}, "partner_id": {"fields": {"name": {}, "email": {}}}}``. Both give a
:data:`FieldTree`: field name -> its sub-tree, or None for a plain field. A list
without braces is not nested and stays on the flat read's fast path
(:func:`parse_fields`), so :func:`parse_field_tree` answers None for it.

Depth and width are capped so one request cannot ask for an unbounded join.
"""

from __future__ import annotations

import re
from typing import Any, Final

import orjson

from ..errors import BadRequest
from .limits import FIELD_NAME_RE, MAX_LITERAL_CHARS
from .literal import short_repr

FieldTree = dict[str, "FieldTree | None"]
"""Field name -> sub-fields of the related record(s), or None for a plain field."""

#: relation levels below the model read (``a{b{c{d}}}`` is depth 3)
MAX_TREE_DEPTH: Final = 4
#: field names in the whole tree
MAX_TREE_FIELDS: Final = 200

_TOKEN = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|([{},]))", re.ASCII)


def is_nested(value: Any) -> bool:
    """Does this ``fields`` value ask for related records' fields?"""
    if isinstance(value, dict):
        return True
    if isinstance(value, str):
        return "{" in value or "}" in value
    return False


def parse_field_tree(value: Any) -> FieldTree | None:
    """The tree of a nested ``fields`` value; None when the value is not nested."""
    if not is_nested(value):
        return None
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_LITERAL_CHARS:
            raise BadRequest(f"fields is too long (max {MAX_LITERAL_CHARS} characters)")
        if text.startswith("{"):
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                raise BadRequest(
                    "fields: a value starting with '{' must be a JSON specification"
                ) from None
        else:
            tree = _Reader(text).read()
            _check_size(tree)
            return tree
    tree = _from_spec(value, depth=0)
    _check_size(tree)
    return tree


def tree_depth(tree: FieldTree) -> int:
    return max((1 + tree_depth(sub) for sub in tree.values() if sub is not None), default=0)


def _count(tree: FieldTree) -> int:
    return sum(1 + (_count(sub) if sub is not None else 0) for sub in tree.values())


def _check_size(tree: FieldTree) -> None:
    if not tree:
        raise BadRequest("fields: the list is empty")
    if tree_depth(tree) > MAX_TREE_DEPTH:
        raise BadRequest(f"fields: nested too deep (at most {MAX_TREE_DEPTH} relation levels)")
    if _count(tree) > MAX_TREE_FIELDS:
        raise BadRequest(f"fields: too many field names (at most {MAX_TREE_FIELDS})")


def _name(name: Any) -> str:
    if not isinstance(name, str) or not FIELD_NAME_RE.fullmatch(name) or len(name) > 128:
        raise BadRequest(f"fields: invalid field name {short_repr(name)}")
    return name


def _from_spec(spec: Any, *, depth: int) -> FieldTree:
    """Read the JSON form: ``{name: {}}`` or ``{name: {"fields": {...}}}``."""
    if depth > MAX_TREE_DEPTH:
        raise BadRequest(f"fields: nested too deep (at most {MAX_TREE_DEPTH} relation levels)")
    if not isinstance(spec, dict) or not spec:
        raise BadRequest("fields: a specification must be a non-empty JSON object")
    if len(spec) > MAX_TREE_FIELDS:
        raise BadRequest(f"fields: too many field names (at most {MAX_TREE_FIELDS})")
    tree: FieldTree = {}
    for name, node in spec.items():
        name = _name(name)
        if node is None or node == {}:
            tree[name] = None
            continue
        if not isinstance(node, dict) or set(node) != {"fields"}:
            raise BadRequest(
                f'fields: {name!r} must map to {{}} or {{"fields": {{...}}}} '
                f"(got {short_repr(node)})"
            )
        tree[name] = _from_spec(node["fields"], depth=depth + 1)
    return tree


class _Reader:
    """A recursive-descent reader of ``a,b{c,d{e}}``; recursion is bounded by the
    depth check, so hostile input cannot exhaust the stack."""

    def __init__(self, text: str) -> None:
        self.tokens: list[str] = []
        pos = 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None:
                if not text[pos:].strip():
                    break
                raise BadRequest(f"fields: unexpected {short_repr(text[pos : pos + 20])}")
            self.tokens.append(match.group(1) or match.group(2))
            pos = match.end()
        self.pos = 0

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def read(self) -> FieldTree:
        tree = self._list(depth=0)
        if self._peek() is not None:
            raise BadRequest(f"fields: unexpected {self._peek()!r} (unbalanced braces?)")
        return tree

    def _list(self, *, depth: int) -> FieldTree:
        if depth > MAX_TREE_DEPTH:
            raise BadRequest(f"fields: nested too deep (at most {MAX_TREE_DEPTH} relation levels)")
        tree: FieldTree = {}
        while True:
            word = self._peek()
            if word is None or word in "{},":
                raise BadRequest(
                    "fields: a field name is missing"
                    + (f" before {word!r}" if word else " at the end")
                )
            self.pos += 1
            name = _name(word)
            sub: FieldTree | None = None
            if self._peek() == "{":
                self.pos += 1
                sub = self._list(depth=depth + 1)
                if self._peek() != "}":
                    raise BadRequest(f"fields: '{{' after {name!r} is not closed")
                self.pos += 1
            if name in tree:
                raise BadRequest(f"fields: {name!r} is named twice")
            tree[name] = sub
            if len(tree) > MAX_TREE_FIELDS:
                raise BadRequest(f"fields: too many field names (at most {MAX_TREE_FIELDS})")
            if self._peek() != ",":
                return tree
            self.pos += 1
