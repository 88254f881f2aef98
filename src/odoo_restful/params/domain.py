"""Search domains: Odoo's operator set and the structural check of a domain."""

from __future__ import annotations

from typing import Any, Final

from ..errors import BadRequest
from .limits import FIELD_PATH_RE, MAX_PATH_CHARS
from .literal import is_int, parse_literal, short_repr, to_plain_data

#: Operators of Odoo's domain language (12 to 19). ``any!``/``not any!`` (Odoo 18+)
#: are left out on purpose: they run their sub-query without access rights.
DOMAIN_OPERATORS: Final = frozenset(
    {
        "=",
        "!=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "=?",
        "=like",
        "=ilike",
        "like",
        "not like",
        "ilike",
        "not ilike",
        "not =like",
        "not =ilike",
        "in",
        "not in",
        "child_of",
        "parent_of",
        "any",
        "not any",
    }
)
_DOMAIN_SUBDOMAIN_OPERATORS: Final = frozenset({"any", "not any"})
_DOMAIN_LOGIC_ARITY: Final = {"&": 2, "|": 2, "!": 1}
_TRUE_LEAF: Final = [1, "=", 1]
_FALSE_LEAF: Final = [0, "=", 1]

_SCALAR_TYPES: Final = (str, int, float, type(None))


# --- domains ------------------------------------------------------------------------


def parse_domain(value: Any, *, max_terms: int = 256) -> list[Any]:
    """Validate a search domain and return it with lists for tuples.

    Accepts a JSON list or a literal string; None and "" mean no filter. Checks the
    structure only (leaves, operators, field paths, prefix-operator arity) and
    keeps leaf values as given: Odoo coerces them to the field types itself.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if isinstance(value, str):
        data = parse_literal(value, what="domain")
    elif isinstance(value, (list, tuple)):
        data = to_plain_data(value, what="domain")
    else:
        raise BadRequest("domain must be a list of conditions")
    if not isinstance(data, list):
        raise BadRequest("domain must be a list of conditions")
    budget = [max_terms]
    return _check_domain(data, where="domain", budget=budget)


def _check_domain(domain: list[Any], *, where: str, budget: list[int]) -> list[Any]:
    if (
        len(domain) == 3
        and isinstance(domain[0], str)
        and domain[0] not in _DOMAIN_LOGIC_ARITY
        and isinstance(domain[1], str)
        and domain[1].lower() in DOMAIN_OPERATORS
    ):
        raise BadRequest(
            f"{where} must be a list of conditions: wrap the condition in a list, "
            f"e.g. [{short_repr(domain)}]"
        )
    budget[0] -= len(domain)
    if budget[0] < 0:
        raise BadRequest(f"{where} has too many terms")
    out: list[Any] = []
    for index, item in enumerate(domain):
        if isinstance(item, str):
            if item not in _DOMAIN_LOGIC_ARITY:
                raise BadRequest(
                    f"{where} item {index}: expected a condition or '&', '|', '!', "
                    f"got {short_repr(item)}"
                )
            out.append(item)
        elif isinstance(item, list):
            out.append(_check_leaf(item, where=f"{where} item {index}", budget=budget))
        else:
            raise BadRequest(
                f"{where} item {index}: expected a condition [field, operator, value] "
                f"or '&', '|', '!', got {short_repr(item)}"
            )
    # Polish notation, read right to left: each operator needs enough terms after it.
    available = 0
    for index in range(len(out) - 1, -1, -1):
        item = out[index]
        if isinstance(item, str):
            arity = _DOMAIN_LOGIC_ARITY[item]
            if available < arity:
                raise BadRequest(
                    f"{where} item {index}: operator {item!r} needs {arity} "
                    f"term{'s' if arity > 1 else ''} after it"
                )
            available -= arity - 1
        else:
            available += 1
    return out


def _check_leaf(leaf: list[Any], *, where: str, budget: list[int]) -> list[Any]:
    if len(leaf) != 3:
        raise BadRequest(
            f"{where}: a condition needs 3 items [field, operator, value], got {len(leaf)}"
        )
    path, operator, value = leaf
    if is_int(path):
        if leaf in (_TRUE_LEAF, _FALSE_LEAF) and is_int(value) and operator == "=":
            return list(leaf)
        raise BadRequest(f"{where}: invalid field path {short_repr(path)}")
    if not isinstance(path, str) or len(path) > MAX_PATH_CHARS or not FIELD_PATH_RE.fullmatch(path):
        raise BadRequest(f"{where}: invalid field path {short_repr(path)}")
    if not isinstance(operator, str) or operator.lower() not in DOMAIN_OPERATORS:
        raise BadRequest(f"{where}: unknown operator {short_repr(operator)}")
    operator = operator.lower()
    if operator in _DOMAIN_SUBDOMAIN_OPERATORS:
        if not isinstance(value, list):
            raise BadRequest(f"{where}: the value of {operator!r} must be a domain (a list)")
        value = _check_domain(value, where=f"{where} ({operator!r} sub-domain)", budget=budget)
    elif isinstance(value, list):
        for element in value:
            if not isinstance(element, _SCALAR_TYPES):
                raise BadRequest(f"{where}: list values may only hold plain values")
    elif not isinstance(value, _SCALAR_TYPES):
        raise BadRequest(f"{where}: the value must be a plain value or a list of them")
    return [path, operator, value]
