"""Pure builders for relational values: no I/O, no metadata lookups.

Each turns one client form into Odoo commands, or checks one raw command, and
raises ``BadRequest`` naming the field path. The async walker (:mod:`.walk`)
decides which builder applies and recurses into nested record values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from .. import params
from ..errors import BadRequest

#: Keys of the operations object, in the order their commands are emitted.
OPERATIONS: Final = ("clear", "set", "delete", "remove", "add", "update", "create")


def kind(value: Any) -> str:
    """A JSON-ish name of a value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def record_id(value: Any, where: str) -> int:
    if not is_int(value) or not 1 <= value <= params.MAX_RECORD_ID:
        raise BadRequest(f"{where}: ids must be positive integers, got {params.short_repr(value)}")
    return int(value)


def id_list(value: Any, where: str) -> list[int]:
    if not isinstance(value, (list, tuple)):
        raise BadRequest(f"{where}: expected a list of ids, got {kind(value)}")
    return [record_id(item, where) for item in value]


def many2one(value: Any, path: str) -> Any:
    """An id, ``{"id": n}`` or the ``[id, "name"]`` pair reads return; scalars pass."""
    if not isinstance(value, (Mapping, list, tuple)):
        return value  # scalars are Odoo's to judge
    if isinstance(value, Mapping):
        if set(value) != {"id"}:
            raise BadRequest(
                f"field '{path}' (many2one): an object may only hold 'id' "
                "(the linked record cannot be edited from here)"
            )
        return record_id(value["id"], f"field '{path}'")
    if len(value) == 2 and (isinstance(value[1], str) or value[1] is False):
        return record_id(value[0], f"field '{path}'")
    raise BadRequest(
        f'field \'{path}\' (many2one): expected an id, {{"id": n}}, [id, "name"] or null'
    )


def x2many_form(value: Any, ftype: str, path: str) -> str:
    """Which form an x2many value has: scalar, ids, commands, friendly or operations."""
    if isinstance(value, Mapping):
        return "operations"
    if not isinstance(value, (list, tuple)):
        return "scalar"
    items = list(value)
    if all(is_int(item) for item in items):  # includes []: the new set is empty
        return "ids"
    if all(isinstance(item, (list, tuple)) for item in items):
        return "commands"
    if all(is_int(item) or isinstance(item, Mapping) for item in items):
        return "friendly"
    raise BadRequest(
        f"field '{path}' ({ftype}): mixed list; send ids, objects, or commands as a "
        "list of lists (e.g. [[6, 0, [1, 2]]])"
    )


def check_command(command: Any, where: str) -> tuple[int, list[Any]]:
    """The code and items of one raw command, checked for shape (values not translated)."""
    if not command or not is_int(command[0]) or not 0 <= command[0] <= 6:
        raise BadRequest(
            f"field '{where}': a command starts with a code from 0 to 6, got "
            f"{params.short_repr(list(command))}"
        )
    code, size = command[0], len(command)
    if code in (0, 1, 6) and size != 3:
        raise BadRequest(f"field '{where}': command {code} needs 3 items, got {size}")
    if code in (2, 3, 4) and size not in (2, 3):
        raise BadRequest(f"field '{where}': command {code} needs 2 items, got {size}")
    if code == 5 and size > 3:
        raise BadRequest(f"field '{where}': command 5 takes no arguments")
    if any(isinstance(extra, (Mapping, list, tuple)) for extra in command[1:2]):
        raise BadRequest(f"field '{where}': malformed command {code}")
    if code in (2, 3, 4, 5) and any(
        isinstance(extra, (Mapping, list, tuple)) for extra in command[2:]
    ):
        raise BadRequest(f"field '{where}': malformed command {code}")
    return code, list(command)


FriendlyEntry = tuple[int | None, Mapping[str, Any] | None]


def friendly_entries(items: list[Any], path: str) -> list[FriendlyEntry]:
    """``[{"id": n, ...}, {...}, n]`` as (id or None, values to write or None)."""
    entries: list[FriendlyEntry] = []
    seen: set[int] = set()
    for index, item in enumerate(items):
        where = f"field '{path}[{index}]'"
        if is_int(item):
            rid: int | None = record_id(item, where)
            rest: Mapping[str, Any] | None = None
        else:
            raw_id = item.get("id")
            rid = None if raw_id is None or raw_id is False else record_id(raw_id, where)
            rest = {key: val for key, val in item.items() if key != "id"}
            if rid is not None and not rest:
                rest = None
        if rid is not None:
            if rid in seen:
                raise BadRequest(f"{where}: id {rid} appears twice")
            seen.add(rid)
        entries.append((rid, rest))
    return entries


def check_operations(ops: Mapping[str, Any], ftype: str, path: str) -> None:
    unknown = sorted(str(key) for key in ops if key not in OPERATIONS)
    if unknown:
        raise BadRequest(
            f"field '{path}' ({ftype}): unknown operation(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(OPERATIONS))}"
        )
    if not isinstance(ops.get("clear", False), bool):
        raise BadRequest(f"field '{path}': 'clear' must be true or false")
    for key in ("update", "create"):
        records = ops.get(key, [])
        if not isinstance(records, (list, tuple)):
            raise BadRequest(f"field '{path}.{key}': expected a list of objects")
        for index, item in enumerate(records):
            if not isinstance(item, Mapping):
                raise BadRequest(
                    f"field '{path}.{key}[{index}]': expected an object, got {kind(item)}"
                )
            if key == "update" and "id" not in item:
                raise BadRequest(f"field '{path}.{key}[{index}]': an update needs an 'id'")


# --- external ids (``module.name``) where ids go -------------------------------------

_XMLID_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z0-9_][A-Za-z0-9_.-]*")
_ID_COMMANDS: Final = frozenset({1, 2, 3, 4})


def is_xmlid(value: Any) -> bool:
    """``module.name``: an external id (module names start with a letter)."""
    return isinstance(value, str) and len(value) <= 256 and bool(_XMLID_RE.fullmatch(value))


def _id_slot(value: Any, out: list[str]) -> None:
    if is_xmlid(value):
        out.append(value)
    elif isinstance(value, Mapping) and is_xmlid(value.get("id")):
        out.append(value["id"])


def refs_in(value: Any, ftype: str) -> list[str]:
    """The external ids a relational value names where an id goes: a many2one value
    (or its ``{"id"}``), ids and ``{"id"}`` entries of an x2many list, the id of a
    command, the ids of ``[6, 0, ids]`` and of the operations' lists. Nested record
    values are not looked into: the walk visits them as records of their own."""
    out: list[str] = []
    if ftype == "many2one":
        _id_slot(value, out)
        return out
    if isinstance(value, Mapping):
        for key in ("set", "delete", "remove", "add"):
            items = value.get(key)
            if isinstance(items, (list, tuple)):
                out.extend(item for item in items if is_xmlid(item))
        for item in value.get("update") or ():
            _id_slot(item, out)
        return out
    if not isinstance(value, (list, tuple)):
        return out
    for item in value:
        if isinstance(item, (list, tuple)) and item and is_int(item[0]):
            if item[0] in _ID_COMMANDS and len(item) > 1 and is_xmlid(item[1]):
                out.append(item[1])
            if item[0] == 6 and len(item) == 3 and isinstance(item[2], (list, tuple)):
                out.extend(ref for ref in item[2] if is_xmlid(ref))
        else:
            _id_slot(item, out)
    return out


def with_ids(value: Any, ftype: str, ids: Mapping[str, int]) -> Any:
    """``value`` with the external ids :func:`refs_in` found replaced by ``ids``."""

    def one(item: Any) -> Any:
        if isinstance(item, str) and item in ids:
            return ids[item]
        if isinstance(item, Mapping) and isinstance(item.get("id"), str) and item["id"] in ids:
            return {**item, "id": ids[item["id"]]}
        return item

    if ftype == "many2one":
        return one(value)
    if isinstance(value, Mapping):
        out = dict(value)
        for key in ("set", "delete", "remove", "add"):
            if isinstance(out.get(key), (list, tuple)):
                out[key] = [one(item) for item in out[key]]
        if isinstance(out.get("update"), (list, tuple)):
            out["update"] = [one(item) for item in out["update"]]
        return out
    if not isinstance(value, (list, tuple)):
        return one(value)
    result: list[Any] = []
    for item in value:
        if isinstance(item, (list, tuple)) and item and is_int(item[0]):
            command = list(item)
            if command[0] in _ID_COMMANDS and len(command) > 1:
                command[1] = one(command[1])
            if command[0] == 6 and len(command) == 3 and isinstance(command[2], (list, tuple)):
                command[2] = [one(ref) for ref in command[2]]
            result.append(command)
        else:
            result.append(one(item))
    return result
