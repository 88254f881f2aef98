"""Pure builders for relational values: no I/O, no metadata lookups.

Each turns one client form into Odoo commands, or checks one raw command, and
raises ``BadRequest`` naming the field path. The async walker (:mod:`.walk`)
decides which builder applies and recurses into nested record values.
"""

from __future__ import annotations

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
