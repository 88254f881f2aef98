"""Odoo search domains: parsing, validation and evaluation against in-memory records.

A domain is a list in Polish (prefix) notation: leaves ``[field_path, operator,
value]`` (lists or tuples) combined with ``'&'``, ``'|'`` and ``'!'``; consecutive
terms are implicitly and-ed. ``(1, '=', 1)`` and ``(0, '=', 1)`` are the true and
false leaves.

:func:`parse` checks the structure (Odoo's messages for a malformed domain, an
invalid item, an invalid operator); :func:`compile_domain` checks the field paths
against a model and returns a predicate over record ids.

Semantics follow Odoo's SQL translation: ``False`` with ``=``/``!=`` means "not
set"/"set"; negative operators (``!=``, ``not in``, ``not like``, ``not ilike``)
also match records where the field is not set; values are coerced to the field's
type (``('id', '>', '10')`` compares as ``> 10``); a string compared with a
many2one or x2many field matches the display names of the related records; a
dotted path ``a.b`` on a relational field ``a`` means "``a`` has a record matching
``(b, op, value)``".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import InvalidTextRepresentation
from .fields import X2MANY, Field

OPERATORS = frozenset(
    {
        "=",
        "!=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "=?",
        "in",
        "not in",
        "like",
        "not like",
        "ilike",
        "not ilike",
        "=like",
        "=ilike",
        "child_of",
        "parent_of",
        "any",
        "not any",
        "any!",
        "not any!",
    }
)
_NEGATIVE = {"!=": "=", "not in": "in", "not like": "like", "not ilike": "ilike", "not any": "any"}
_LIKE = frozenset({"like", "ilike", "=like", "=ilike"})
_ORDERING = frozenset({"<", "<=", ">", ">="})

Predicate = Callable[[int], bool]


class Table(Protocol):
    """What the evaluator needs from a model."""

    @property
    def model_name(self) -> str: ...

    @property
    def parent_name(self) -> str | None: ...

    def get_field(self, name: str) -> Field | None: ...

    def value(self, rid: int, fname: str) -> Any: ...

    def display_name(self, rid: int) -> str: ...

    def all_ids(self, active_test: bool) -> Iterable[int]: ...

    def table(self, model: str) -> Table | None: ...


# --- structure ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leaf:
    path: str
    operator: str
    value: Any
    raw: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Const:
    value: bool


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class Junction:
    operator: str  # "&" or "|"
    children: tuple[Node, ...]


Node = Leaf | Const | Not | Junction
TRUE = Const(True)
FALSE = Const(False)


def parse(domain: Any) -> Node:
    """Check the structure of ``domain`` and build its tree (no model involved)."""
    if isinstance(domain, Leaf | Const | Not | Junction):
        return domain
    if not isinstance(domain, list | tuple):
        raise ValueError(f"Domain() invalid domain: {domain!r}")
    stack: list[Node] = []
    try:
        for item in reversed(domain):
            if isinstance(item, str) and item in ("&", "|"):
                left, right = stack.pop(), stack.pop()
                stack.append(Junction(item, (left, right)))
            elif isinstance(item, str) and item == "!":
                stack.append(Not(stack.pop()))
            else:
                stack.append(_leaf(item))
    except IndexError:
        raise ValueError(f"Domain() malformed domain {domain!r}") from None
    if not stack:
        return TRUE
    if len(stack) == 1:
        return stack[0]
    return Junction("&", tuple(reversed(stack)))


def _leaf(item: Any) -> Node:
    if isinstance(item, bool):
        return Const(item)
    if not isinstance(item, list | tuple) or len(item) != 3:
        raise ValueError(f"Domain() invalid item in domain: {item!r}")
    path, operator, value = item
    raw = tuple(item)
    if path in (1, 0) and not isinstance(path, bool) and operator == "=" and value == 1:
        return TRUE if path == 1 else FALSE
    if not isinstance(operator, str) or operator.lower() not in OPERATORS:
        raise ValueError(f"Invalid operator in condition {raw!r}")
    if not isinstance(path, str) or not path:
        raise ValueError(f"Domain() invalid item in domain: {item!r}")
    return Leaf(path, operator.lower(), value, raw)


def mentions(node: Node, fname: str) -> bool:
    """Whether a leaf of ``node`` is on field ``fname`` (used for ``active_test``)."""
    if isinstance(node, Leaf):
        return node.path == fname
    if isinstance(node, Not):
        return mentions(node.child, fname)
    if isinstance(node, Junction):
        return any(mentions(child, fname) for child in node.children)
    return False


def and_(*nodes: Node) -> Node:
    return Junction("&", tuple(nodes))


# --- evaluation --------------------------------------------------------------


def compile_domain(domain: Any, table: Table) -> Predicate:
    """A predicate over record ids of ``table``; raises ValueError on a bad field."""
    return _compile(parse(domain), table)


def search(table: Table, domain: Any, active_test: bool) -> set[int]:
    predicate = compile_domain(domain, table)
    return {rid for rid in table.all_ids(active_test) if predicate(rid)}


def _compile(node: Node, table: Table) -> Predicate:
    if isinstance(node, Const):
        result = node.value
        return lambda rid: result
    if isinstance(node, Not):
        inner = _compile(node.child, table)
        return lambda rid: not inner(rid)
    if isinstance(node, Junction):
        parts = [_compile(child, table) for child in node.children]
        if node.operator == "&":
            return lambda rid: all(part(rid) for part in parts)
        return lambda rid: any(part(rid) for part in parts)
    return _compile_leaf(node, table)


def _compile_leaf(leaf: Leaf, table: Table) -> Predicate:
    head, _, rest = leaf.path.partition(".")
    fld = table.get_field(head)
    if fld is None:
        raise ValueError(f"Invalid field {table.model_name}.{head} in condition {leaf.raw!r}")
    operator = "!=" if leaf.operator == "<>" else leaf.operator
    if rest:
        return _compile_path(leaf, table, fld, rest, operator)
    if fld.type == "many2one" or fld.type in X2MANY:
        return _compile_relational(leaf, table, fld, operator)
    if head == "id" and operator in ("child_of", "parent_of"):
        targets = _hierarchy(table, _ids(leaf.value, table), operator)
        return lambda rid: rid in targets
    if operator in ("any", "not any", "any!", "not any!", "child_of", "parent_of"):
        raise ValueError(f"Invalid operator in condition {leaf.raw!r}")
    return _compile_scalar(table, fld, operator, _coerce(fld, leaf.value, leaf))


def _compile_path(leaf: Leaf, table: Table, fld: Field, rest: str, operator: str) -> Predicate:
    comodel = table.table(fld.relation or "") if fld.relation else None
    if comodel is None:
        raise ValueError(f"Invalid field {table.model_name}.{leaf.path} in condition {leaf.raw!r}")
    sub = Leaf(rest, operator, leaf.value, leaf.raw)
    matching = search(comodel, sub, active_test=False)
    return _membership(table, fld.name, fld.type == "many2one", matching, positive=True)


def _compile_relational(leaf: Leaf, table: Table, fld: Field, operator: str) -> Predicate:
    single = fld.type == "many2one"
    fname = fld.name
    value = leaf.value
    comodel = table.table(fld.relation or "") if fld.relation else None
    if operator == "=?":
        if value is False or value is None:
            return lambda rid: True
        operator = "="
    if operator in ("any", "not any", "any!", "not any!"):
        if comodel is None:
            raise ValueError(f"Invalid field {table.model_name}.{fname} in condition {leaf.raw!r}")
        matching = search(comodel, value, active_test=not operator.endswith("!"))
        return _membership(table, fname, single, matching, positive=operator.startswith("any"))
    if operator in ("child_of", "parent_of"):
        if comodel is None:
            raise ValueError(f"Invalid field {table.model_name}.{fname} in condition {leaf.raw!r}")
        targets = _hierarchy(comodel, _ids(value, comodel), operator)
        return _membership(table, fname, single, targets, positive=True)
    if operator in ("=", "!=") and (value is False or value is None):
        if operator == "=":
            return lambda rid: not table.value(rid, fname)
        return lambda rid: bool(table.value(rid, fname))
    if operator in _ORDERING and single:
        bound = _coerce_int(value, leaf)
        compare = _COMPARE[operator]
        return lambda rid: bool(table.value(rid, fname)) and compare(table.value(rid, fname), bound)
    positive = _NEGATIVE.get(operator, operator)
    values = list(value) if isinstance(value, list | tuple) else [value]
    names = [v for v in values if isinstance(v, str)]
    if names or positive in _LIKE:
        if comodel is None:
            return lambda rid: operator != positive
        like = positive if positive in _LIKE else "="
        matchers = [_matcher(like, str(v)) for v in names or values]
        matching = {
            tid
            for tid in comodel.all_ids(active_test=True)
            if any(match(comodel.display_name(tid)) for match in matchers)
        }
    else:
        matching = {_coerce_int(v, leaf) for v in values if v is not False and v is not None}
    with_empty = any(v is False or v is None for v in values)
    member = _membership(table, fname, single, matching, positive=True)

    def predicate(rid: int) -> bool:
        hit = member(rid) or (with_empty and not table.value(rid, fname))
        return hit if operator == positive else not hit

    return predicate


def _membership(
    table: Table, fname: str, single: bool, targets: set[int], *, positive: bool
) -> Predicate:
    if single:

        def m2o(rid: int) -> bool:
            value = table.value(rid, fname)
            return (bool(value) and value in targets) == positive

        return m2o

    def x2many(rid: int) -> bool:
        return (not targets.isdisjoint(table.value(rid, fname) or ())) == positive

    return x2many


def _hierarchy(table: Table, roots: set[int], operator: str) -> set[int]:
    parent = table.parent_name
    if not parent:
        return roots
    if operator == "parent_of":
        found: set[int] = set()
        for rid in roots:
            seen = rid
            while seen and seen not in found:
                found.add(seen)
                seen = table.value(seen, parent)
        return found
    children: dict[int, list[int]] = {}
    for rid in table.all_ids(active_test=False):
        pid = table.value(rid, parent)
        if pid:
            children.setdefault(pid, []).append(rid)
    found = set()
    todo = list(roots)
    while todo:
        rid = todo.pop()
        if rid not in found:
            found.add(rid)
            todo.extend(children.get(rid, ()))
    return found


def _ids(value: Any, table: Table) -> set[int]:
    values = value if isinstance(value, list | tuple) else [value]
    ids: set[int] = set()
    for item in values:
        if isinstance(item, str):
            match = _matcher("ilike", item)
            ids.update(t for t in table.all_ids(True) if match(table.display_name(t)))
        elif isinstance(item, int) and not isinstance(item, bool) and item:
            ids.add(item)
    return ids


# --- scalar fields -------------------------------------------------------------

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compile_scalar(table: Table, fld: Field, operator: str, value: Any) -> Predicate:
    fname = fld.name
    get = table.value
    boolean = fld.type == "boolean"

    def unset(v: Any) -> bool:
        return (v is False or v is None) and not boolean

    if operator == "=?":
        if value is False or value is None:
            return lambda rid: True
        operator = "="
    if operator in ("=", "!="):
        equal: Predicate
        if value is False or value is None:
            equal = (
                (lambda rid: not get(rid, fname))
                if boolean
                else (lambda rid: unset(get(rid, fname)))
            )
        elif boolean:
            equal = lambda rid: bool(get(rid, fname)) == bool(value)  # noqa: E731
        else:
            equal = lambda rid: get(rid, fname) == value  # noqa: E731
        return equal if operator == "=" else (lambda rid: not equal(rid))
    if operator in ("in", "not in"):
        values = value if isinstance(value, list | tuple) else [value]
        with_empty = any(v is False or v is None for v in values)
        members = {v for v in values if v is not False and v is not None}

        def inside(rid: int) -> bool:
            v = get(rid, fname)
            if boolean:
                return bool(v) in {bool(m) for m in values}
            if unset(v):
                return with_empty
            return v in members

        return inside if operator == "in" else (lambda rid: not inside(rid))
    if operator in _ORDERING:
        compare = _COMPARE[operator]

        def ordered(rid: int) -> bool:
            v = get(rid, fname)
            return not unset(v) and value is not False and value is not None and compare(v, value)

        return ordered
    positive = _NEGATIVE.get(operator, operator)
    match = _matcher(positive, "" if value is False or value is None else str(value))

    def like(rid: int) -> bool:
        v = get(rid, fname)
        if unset(v):
            return operator != positive
        return match(str(v)) == (operator == positive)

    return like


def _coerce(fld: Field, value: Any, leaf: Leaf) -> Any:
    """Convert a domain value to the field's type, as Odoo does before comparing."""
    if isinstance(value, list | tuple):
        return [_coerce(fld, v, leaf) for v in value]
    if value is False or value is None or leaf.operator in _LIKE or "like" in leaf.operator:
        return value
    try:
        if fld.type == "integer":
            return int(value)
        if fld.type in ("float", "monetary"):
            return float(value)
    except (TypeError, ValueError):
        raise _cast_error(fld, value, leaf) from None
    if fld.type in ("char", "text", "html", "selection", "date", "datetime") and not isinstance(
        value, str
    ):
        return str(value)
    return value


def _coerce_int(value: Any, leaf: Leaf) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid value {value!r} in condition {leaf.raw!r}") from None


def _cast_error(fld: Field, value: Any, leaf: Leaf) -> Exception:
    """A value the field cannot take: Odoo's ValueError, or PostgreSQL's for ``id``.

    Odoo converts the value of an ordinary integer or float field in Python, but
    passes a text compared with ``id`` on to PostgreSQL, which refuses it (recorded:
    ``[['id', '=', 'base.main_partner']]``).
    """
    if fld.name == "id" and isinstance(value, str):
        return InvalidTextRepresentation(f'invalid input syntax for type integer: "{value}"\n')
    return ValueError(f"Invalid value {value!r} in condition {leaf.raw!r}")


_MATCHERS: dict[tuple[str, str], Callable[[str], bool]] = {}


def _matcher(operator: str, value: str) -> Callable[[str], bool]:
    """A test of a text against ``value`` for ``=``, like, ilike, =like or =ilike."""
    key = (operator, value)
    cached = _MATCHERS.get(key)
    if cached is not None:
        return cached
    if operator == "=":
        result: Callable[[str], bool] = lambda text: text == value  # noqa: E731
    else:
        pattern = value if operator.startswith("=") else f"%{value}%"
        flags = re.DOTALL | (re.IGNORECASE if "ilike" in operator else 0)
        regex = re.compile(_like_to_regex(pattern), flags)
        result = lambda text: regex.fullmatch(text) is not None  # noqa: E731
    if len(_MATCHERS) < 512:
        _MATCHERS[key] = result
    return result


def _like_to_regex(pattern: str) -> str:
    out = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return "".join(out)
