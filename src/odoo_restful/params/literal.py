"""Plain-data conversion and literal reading: the guard every other parser goes through."""

from __future__ import annotations

import ast
import json
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from ..errors import BadRequest
from .budget import charge
from .limits import (
    _INT_MAX,
    _INT_MIN,
    FIELD_NAME_RE,
    MAX_DEPTH,
    MAX_LITERAL_CHARS,
    MAX_NODES,
    MAX_PATH_CHARS,
)


def short_repr(value: Any, limit: int = 60) -> str:
    """A short repr for error messages, so that a huge input is never echoed back."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_field_name(name: Any) -> bool:
    """True for an Odoo field (or argument, context key) name: an ASCII identifier."""
    return (
        isinstance(name, str)
        and len(name) <= MAX_PATH_CHARS
        and bool(FIELD_NAME_RE.fullmatch(name))
    )


def is_int(value: Any) -> bool:
    """True for real integers: ``bool`` is an ``int`` subclass but never an id or a count."""
    return isinstance(value, int) and not isinstance(value, bool)


# --- plain data -------------------------------------------------------------------


def to_plain_data(
    value: Any,
    *,
    what: str,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> Any:
    """Copy ``value`` as JSON-like data (tuples become lists), or raise BadRequest.

    Only None, bool, int (64-bit), finite float, str, list/tuple and mappings with
    string keys are allowed, so that whatever comes out can be sent to Odoo as
    JSON. Iterative, so depth is limited by ``max_depth`` and not by the stack.
    """
    nodes = 0
    pending: list[tuple[Any, list[Any] | dict[str, Any], int]] = []

    def convert(item: Any, level: int) -> Any:
        nonlocal nodes
        nodes += 1
        if nodes > max_nodes:
            raise BadRequest(f"{what} is too large (more than {max_nodes} values)")
        if item is None or isinstance(item, bool):
            return item
        if isinstance(item, str):
            return _check_text(item, what)
        if isinstance(item, int):
            if not _INT_MIN <= item <= _INT_MAX:
                raise BadRequest(f"{what}: integer out of range")
            return int(item)
        if isinstance(item, float):
            if not math.isfinite(item):
                raise BadRequest(f"{what}: numbers must be finite")
            return float(item)
        if isinstance(item, (list, tuple, Mapping)):
            if level + 1 > max_depth:
                raise BadRequest(f"{what} is nested too deeply (max {max_depth} levels)")
            out: list[Any] | dict[str, Any] = {} if isinstance(item, Mapping) else []
            pending.append((item, out, level + 1))
            return out
        raise BadRequest(
            f"{what}: values of type {type(item).__name__} are not allowed "
            "(only null, booleans, numbers, strings, lists and objects)"
        )

    result = convert(value, 0)
    while pending:
        source, target, level = pending.pop()
        if isinstance(target, list):
            for child in source:
                target.append(convert(child, level))
        else:
            for key, child in source.items():
                if not isinstance(key, str):
                    raise BadRequest(f"{what}: object keys must be strings, got {short_repr(key)}")
                target[_check_text(key, what)] = convert(child, level)
    return result


def _check_text(text: str, what: str) -> str:
    """Refuse strings that cannot be sent on as UTF-8 (lone surrogates from a literal)."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest(f"{what}: strings must be valid Unicode text") from None
    return str(text)


def check_depth(value: Any, *, what: str, max_depth: int) -> bool:
    """Raise BadRequest when JSON ``value`` nests deeper than ``max_depth`` (no copy).

    Returns True when it holds a float that may have been an integer beyond 64 bits
    (orjson reads those as floats): :func:`check_json_integers` then looks closer.
    """
    suspicious = _maybe_big_integer(value)
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if level > max_depth:
            raise BadRequest(f"{what} is nested too deeply (max {max_depth} levels)")
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, level + 1))
            elif not suspicious and isinstance(child, float):
                suspicious = _maybe_big_integer(child)
    return suspicious


def _maybe_big_integer(value: Any) -> bool:
    return isinstance(value, float) and abs(value) >= 2**63 and value.is_integer()


def _refuse_big_integer(token: str) -> int:
    number = int(token)
    if not _INT_MIN <= number <= _INT_MAX:
        raise OverflowError(token)
    return number


def check_json_integers(source: str | bytes, *, what: str) -> None:
    """Refuse JSON integers beyond 64 bits, which orjson would silently turn into floats.

    Only called when a decoded value holds a float that may have been one, so the
    slower second reading (the standard library's, which sees the integer tokens)
    costs nothing on ordinary input.
    """
    try:
        json.loads(source, parse_int=_refuse_big_integer)
    except OverflowError:
        raise BadRequest(f"{what}: integer out of range (more than 64 bits)") from None
    except ValueError:
        return  # orjson accepted it; a difference of dialect is not this check's concern


# --- literals -----------------------------------------------------------------------


def parse_literal(
    text: str,
    *,
    what: str,
    max_chars: int = MAX_LITERAL_CHARS,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> Any:
    """Read a JSON or Python-literal string as plain data; never evaluates code.

    The size cap comes first so that the parser never sees a large input. JSON is
    tried first (it is what most clients send); Python literals
    (``"[('id', '>', '10')]"``) are read by ``ast.literal_eval``'s rules, and every
    failure on hostile input (deep nesting, huge numbers) is turned into BadRequest.
    """
    if not isinstance(text, str):
        raise BadRequest(f"{what} must be a string")
    if len(text) > max_chars:
        raise BadRequest(f"{what} is too long ({len(text)} characters, max {max_chars})")
    source = text.strip()
    if not source:
        raise BadRequest(f"{what} is empty")
    charge(len(source), what)
    try:
        value = orjson.loads(source)
    except orjson.JSONDecodeError as json_error:
        try:
            value = _literal_eval(source, what)
        except BadRequest:
            if _looks_like_json(source):  # say what is wrong with it as JSON
                raise BadRequest(f"{what} is not valid JSON: {json_error}") from None
            raise
    else:
        if check_depth(value, what=what, max_depth=max_depth):
            check_json_integers(source, what=what)
    return to_plain_data(value, what=what, max_depth=max_depth, max_nodes=max_nodes)


def _looks_like_json(source: str) -> bool:
    """Double quotes and no single ones, or JSON's own words: meant as JSON."""
    return ("'" not in source and '"' in source) or bool(_JSON_WORDS.search(source))


_JSON_WORDS = re.compile(r"\b(true|false|null)\b")


def _literal_eval(source: str, what: str) -> Any:
    try:
        # Invalid escapes ('\L') warn at compile time: client-triggered log noise, and
        # an error where warnings are errors. They are read as Python reads them today.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
        return _literal(tree.body)
    except SyntaxError as exc:
        # Python's own words, its quotes kept ("'[' was never closed").
        reason = exc.msg if len(exc.msg) <= 80 else exc.msg[:80] + "..."
        raise BadRequest(f"{what} is not a valid literal: {reason}") from None
    except (ValueError, TypeError):
        raise BadRequest(
            f"{what} may only contain literals (strings, numbers, True, False, None, "
            "lists, tuples and dicts)"
        ) from None
    except (MemoryError, RecursionError):
        raise BadRequest(f"{what} is nested too deeply") from None


def _literal(node: ast.expr) -> Any:
    """The value of a literal expression, by ``ast.literal_eval``'s rules.

    The standard library's version builds closures that refer to themselves, so every
    call left a reference cycle for the collector (tests/test_garbage.py). Sets and
    complex numbers are read as it reads them, for ``to_plain_data`` to refuse by name.
    """
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List):
        return [_literal(item) for item in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_literal(item) for item in node.elts)
    if isinstance(node, ast.Set):
        return {_literal(item) for item in node.elts}
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):  # {**other}
            raise ValueError("not a literal")
        return {
            _literal(key): _literal(value)
            for key, value in zip(node.keys, node.values, strict=True)
            if key is not None
        }
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        value = node.operand.value if isinstance(node.operand, ast.Constant) else None
        if isinstance(value, int | float | complex) and not isinstance(value, bool):
            return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):  # 1+2j
        left, right = _literal(node.left), _literal(node.right)
        if isinstance(left, int | float) and isinstance(right, complex):
            return left + right if isinstance(node.op, ast.Add) else left - right
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "set"
        and not node.args
        and not node.keywords
    ):
        return set()
    raise ValueError("not a literal")


def literal_or_value(value: Any, *, what: str, max_chars: int = MAX_LITERAL_CHARS) -> Any:
    """A string is read as a literal; anything else is copied as plain data."""
    if isinstance(value, str):
        return parse_literal(value, what=what, max_chars=max_chars)
    return to_plain_data(value, what=what)
