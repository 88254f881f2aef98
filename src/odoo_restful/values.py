"""Create/write values: friendly relational forms turned into Odoo commands.

Odoo only understands x2many *commands* (``[[0, 0, vals], [4, id], [6, 0, ids]]``)
and rejects dicts inside them (``TypeError: unhashable type: 'dict'``). REST
clients naturally send ``[{"id": 10}]`` or ``{"add": [7]}``, and the seed sends
``__api__<field>`` keys holding Python-literal command strings. This module
rewrites all of those, before the call, using the model's field metadata.

Only list and object values of fields that the metadata says are many2one,
one2many or many2many are touched; every other value (including
``json``/``properties`` fields, which may hold dicts) and every unknown field name
is passed through for Odoo to judge. Scalars are never translated, even on
relational fields (``null`` stays ``null``, which Odoo reads as empty): a write of
plain values then needs no metadata at all, and a value means the same whether or
not other fields in the request needed the lookup.

Command forms emitted (Odoo 12 to 19 accept all of them): ``[0, 0, vals]``
create, ``[1, id, vals]`` update, ``[2, id]`` delete, ``[3, id]`` remove from the
relation, ``[4, id]`` link, ``[5, 0, 0]`` clear, ``[6, 0, ids]`` replace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, Protocol

from . import params
from .errors import BadRequest

__all__ = [
    "API_PREFIX",
    "OPERATIONS",
    "CurrentLines",
    "FieldsInfo",
    "FieldsLookup",
    "needs_metadata",
    "normalise_create_payload",
    "prepare_values",
]

FieldsInfo = Mapping[str, Mapping[str, Any]]
"""A ``fields_get`` result with at least ``type`` (and ``relation`` for relations)."""

API_PREFIX: Final = "__api__"
#: Keys of the operations object, in the order their commands are emitted.
OPERATIONS: Final = ("clear", "set", "delete", "remove", "add", "update", "create")
MAX_CREATE_RECORDS: Final = 1000

_X2MANY: Final = frozenset({"one2many", "many2many"})
_Mode = Literal["create", "write", "update"]


class FieldsLookup(Protocol):
    """Returns the (cached) field metadata of a model."""

    async def __call__(self, model: str, /) -> FieldsInfo: ...


class CurrentLines(Protocol):
    """Returns the current ids of a one2many field of the record being written."""

    async def __call__(self, model: str, field: str) -> list[int]: ...


def needs_metadata(vals: Mapping[str, Any]) -> bool:
    """True when :func:`prepare_values` may change ``vals`` (so field types are needed).

    That is: an ``__api__`` key, or any dict or list value (a list of ids must
    become ``[[6, 0, ids]]`` on an x2many field). Scalars never need translation,
    so the common write of plain values skips the ``fields_get`` lookup.
    """
    for key, value in vals.items():
        if isinstance(key, str) and key.startswith(API_PREFIX):
            return True
        if isinstance(value, (Mapping, list, tuple)):
            return True
    return False


async def prepare_values(
    model: str,
    vals: Mapping[str, Any],
    *,
    fields: FieldsLookup,
    current: CurrentLines | None = None,
    max_depth: int = 4,
    max_commands: int = 1000,
) -> dict[str, Any]:
    """Return ``vals`` with relational values rewritten as Odoo commands.

    ``current`` is None on create. On write it returns the record's current
    one2many line ids, so that lines left out of a friendly list are deleted
    (``[2, id]``) as Odoo's own form does. ``max_depth`` bounds nested records
    (values inside ``[0, 0, vals]``/``[1, id, vals]``) and ``max_commands`` the
    total number of commands and ids produced, so one request stays bounded.
    """
    translator = _Translator(fields, current, max_depth=max_depth, max_commands=max_commands)
    mode: _Mode = "create" if current is None else "write"
    return await translator.record(model, vals, prefix="", depth=0, mode=mode)


def normalise_create_payload(
    body: params.Body | Mapping[str, Any] | list[Any] | Any,
    *,
    max_records: int = MAX_CREATE_RECORDS,
) -> list[dict[str, Any]]:
    """The records to create: one object or a non-empty list of objects (bounded)."""
    if isinstance(body, params.Body):
        body = body.items if body.items is not None else body.fields
    if isinstance(body, Mapping):
        return [dict(body)]
    if not isinstance(body, (list, tuple)):
        raise BadRequest("create expects an object or a list of objects")
    if not body:
        raise BadRequest("create expects at least one record")
    if len(body) > max_records:
        raise BadRequest(f"too many records to create at once (max {max_records})")
    records: list[dict[str, Any]] = []
    for index, item in enumerate(body):
        if not isinstance(item, Mapping):
            raise BadRequest(f"record {index} must be an object, got {_kind(item)}")
        records.append(dict(item))
    return records


# --- implementation -----------------------------------------------------------------


def _kind(value: Any) -> str:
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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _record_id(value: Any, where: str) -> int:
    if not _is_int(value) or not 1 <= value <= params.MAX_RECORD_ID:
        raise BadRequest(f"{where}: ids must be positive integers, got {params.short_repr(value)}")
    return int(value)


def _id_list(value: Any, where: str) -> list[int]:
    if not isinstance(value, (list, tuple)):
        raise BadRequest(f"{where}: expected a list of ids, got {_kind(value)}")
    return [_record_id(item, where) for item in value]


class _Translator:
    """State of one :func:`prepare_values` call: lookups, caps and a command budget."""

    def __init__(
        self,
        fields: FieldsLookup,
        current: CurrentLines | None,
        *,
        max_depth: int,
        max_commands: int,
    ) -> None:
        self._fields = fields
        self._current = current
        self._max_depth = max_depth
        self._max_commands = max_commands
        self._budget = max_commands

    def _spend(self, count: int, where: str) -> None:
        self._budget -= count
        if self._budget < 0:
            raise BadRequest(
                f"field '{where}': too many x2many commands or ids in one request "
                f"(max {self._max_commands})"
            )

    async def record(
        self,
        model: str | None,
        vals: Any,
        *,
        prefix: str,
        depth: int,
        mode: _Mode,
    ) -> dict[str, Any]:
        """Translate the values of one record of ``model`` (None: relation unknown)."""
        where = prefix or "values"
        if not isinstance(vals, Mapping):
            raise BadRequest(f"{where}: record values must be an object, got {_kind(vals)}")
        if depth > self._max_depth:
            raise BadRequest(f"{where}: records nested deeper than {self._max_depth} levels")
        plain = self._strip_api_prefix(vals, prefix)
        if model is None or not needs_metadata(plain):
            return plain
        info = await self._fields(model)
        out: dict[str, Any] = {}
        for name, value in plain.items():
            meta = info.get(name)
            ftype = meta.get("type") if isinstance(meta, Mapping) else None
            path = f"{prefix}.{name}" if prefix else name
            if ftype == "many2one":
                out[name] = self._many2one(value, path)
            elif ftype in _X2MANY:
                assert meta is not None
                relation = meta.get("relation")
                out[name] = await self._x2many(
                    value,
                    model=model,
                    name=name,
                    ftype=str(ftype),
                    relation=relation if isinstance(relation, str) else None,
                    path=path,
                    depth=depth,
                    mode=mode,
                )
            else:
                out[name] = value
        return out

    def _strip_api_prefix(self, vals: Mapping[str, Any], prefix: str) -> dict[str, Any]:
        """Resolve the seed's ``__api__<field>`` keys (literal strings of commands)."""
        out: dict[str, Any] = {}
        for key, value in vals.items():
            if not isinstance(key, str):
                raise BadRequest(f"{prefix or 'values'}: field names must be strings")
            if not key.startswith(API_PREFIX):
                out[key] = value
                continue
            name = key[len(API_PREFIX) :]
            label = f"{prefix}.{key}" if prefix else key
            if not params.is_field_name(name):
                raise BadRequest(f"'{label}': expected a field name after {API_PREFIX!r}")
            if name in vals:
                raise BadRequest(f"both '{key}' and '{name}' were given: send only one")
            if isinstance(value, str):
                out[name] = params.parse_literal(value, what=f"'{label}'")
            else:
                out[name] = params.to_plain_data(value, what=f"'{label}'")
        return out

    @staticmethod
    def _many2one(value: Any, path: str) -> Any:
        if not isinstance(value, (Mapping, list, tuple)):
            return value  # scalars are Odoo's to judge (see the module docstring)
        if isinstance(value, Mapping):
            if set(value) != {"id"}:
                raise BadRequest(
                    f"field '{path}' (many2one): an object may only hold 'id' "
                    "(the linked record cannot be edited from here)"
                )
            return _record_id(value["id"], f"field '{path}'")
        if (
            isinstance(value, (list, tuple))
            and len(value) == 2
            and (isinstance(value[1], str) or value[1] is False)
        ):
            return _record_id(value[0], f"field '{path}'")
        raise BadRequest(
            f'field \'{path}\' (many2one): expected an id, {{"id": n}}, [id, "name"] or null'
        )

    async def _x2many(
        self,
        value: Any,
        *,
        model: str,
        name: str,
        ftype: str,
        relation: str | None,
        path: str,
        depth: int,
        mode: _Mode,
    ) -> Any:
        if isinstance(value, Mapping):
            return await self._operations(
                value, ftype=ftype, relation=relation, path=path, depth=depth
            )
        if not isinstance(value, (list, tuple)):
            return value  # scalars are Odoo's to judge (see the module docstring)
        items = list(value)
        if all(_is_int(item) for item in items):  # includes []: the new set is empty
            ids = _id_list(items, f"field '{path}'")
            self._spend(1 + len(ids), path)
            return [[6, 0, ids]]
        if all(isinstance(item, (list, tuple)) for item in items):
            return await self._commands(items, relation=relation, path=path, depth=depth)
        if all(_is_int(item) or isinstance(item, Mapping) for item in items):
            return await self._friendly(
                items,
                model=model,
                name=name,
                ftype=ftype,
                relation=relation,
                path=path,
                depth=depth,
                mode=mode,
            )
        raise BadRequest(
            f"field '{path}' ({ftype}): mixed list; send ids, objects, or commands as a "
            "list of lists (e.g. [[6, 0, [1, 2]]])"
        )

    async def _nested(
        self,
        relation: str | None,
        vals: Any,
        *,
        path: str,
        depth: int,
        mode: _Mode,
    ) -> dict[str, Any]:
        return await self.record(relation, vals, prefix=path, depth=depth + 1, mode=mode)

    async def _commands(
        self,
        items: list[Any],
        *,
        relation: str | None,
        path: str,
        depth: int,
    ) -> list[Any]:
        """Check raw Odoo commands; translate the values nested in create/update."""
        self._spend(len(items), path)
        out: list[Any] = []
        for index, command in enumerate(items):
            where = f"{path}[{index}]"
            if not command or not _is_int(command[0]) or not 0 <= command[0] <= 6:
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
            if code == 0:
                vals = await self._nested(
                    relation, command[2], path=where, depth=depth, mode="create"
                )
                out.append([0, command[1], vals])
            elif code == 1:
                record_id = _record_id(command[1], f"field '{where}'")
                vals = await self._nested(
                    relation, command[2], path=where, depth=depth, mode="update"
                )
                out.append([1, record_id, vals])
            elif code == 6:
                ids = _id_list(command[2], f"field '{where}'")
                self._spend(len(ids), path)
                out.append([6, command[1], ids])
            else:
                if any(isinstance(extra, (Mapping, list, tuple)) for extra in command[2:]):
                    raise BadRequest(f"field '{where}': malformed command {code}")
                if code == 5:
                    out.append(list(command))
                else:
                    out.append([code, _record_id(command[1], f"field '{where}'"), *command[2:]])
        return out

    async def _friendly(
        self,
        items: list[Any],
        *,
        model: str,
        name: str,
        ftype: str,
        relation: str | None,
        path: str,
        depth: int,
        mode: _Mode,
    ) -> list[Any]:
        """A list of ``{"id": n, ...}`` / ``{...}`` / ids: the new set of records."""
        entries: list[tuple[int | None, Mapping[str, Any] | None]] = []
        seen: set[int] = set()
        for index, item in enumerate(items):
            where = f"field '{path}[{index}]'"
            if _is_int(item):
                record_id: int | None = _record_id(item, where)
                rest: Mapping[str, Any] | None = None
            else:
                raw_id = item.get("id")
                record_id = None if raw_id is None or raw_id is False else _record_id(raw_id, where)
                rest = {key: val for key, val in item.items() if key != "id"}
                if record_id is not None and not rest:
                    rest = None
            if record_id is not None:
                if record_id in seen:
                    raise BadRequest(f"{where}: id {record_id} appears twice")
                seen.add(record_id)
            entries.append((record_id, rest))
        self._spend(len(entries), path)

        commands: list[Any] = []
        existing: set[int] = set()
        if ftype == "many2many":
            commands.append([6, 0, [rid for rid, _ in entries if rid is not None]])
            existing = seen  # after [6], every listed id is linked already
        elif mode == "write":
            assert self._current is not None
            current = list(await self._current(model, name))
            existing = set(current)
            removed = [line for line in current if line not in seen]
            self._spend(len(removed), path)
            commands.extend([2, line] for line in removed)
        elif mode == "update":
            raise BadRequest(
                f"field '{path}' (one2many): a list of lines replaces all lines, which is only "
                "supported on the record being written; use raw commands or an operations "
                'object ({"create": [...], "update": [...], "delete": [...]}) here'
            )
        for index, (record_id, rest) in enumerate(entries):
            where = f"{path}[{index}]"
            if record_id is None:
                vals = await self._nested(relation, rest, path=where, depth=depth, mode="create")
                commands.append([0, 0, vals])
                continue
            if record_id not in existing:
                commands.append([4, record_id])
            if rest is not None:
                vals = await self._nested(relation, rest, path=where, depth=depth, mode="update")
                commands.append([1, record_id, vals])
        return commands

    async def _operations(
        self,
        ops: Mapping[str, Any],
        *,
        ftype: str,
        relation: str | None,
        path: str,
        depth: int,
    ) -> list[Any]:
        """``{"add": [...], "remove": [...], ...}``: partial edits of the relation.

        ``remove`` is ``[3, id]`` for both kinds: Odoo then deletes a one2many line
        whose parent link is ``ondelete='cascade'`` and only detaches it otherwise
        (a contact removed from a company stays a contact); ``delete`` always deletes.
        """
        unknown = sorted(str(key) for key in ops if key not in OPERATIONS)
        if unknown:
            raise BadRequest(
                f"field '{path}' ({ftype}): unknown operation(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(sorted(OPERATIONS))}"
            )
        commands: list[Any] = []
        clear = ops.get("clear", False)
        if not isinstance(clear, bool):
            raise BadRequest(f"field '{path}': 'clear' must be true or false")
        if clear:
            commands.append([5, 0, 0])
        if "set" in ops:
            ids = _id_list(ops["set"], f"field '{path}.set'")
            self._spend(len(ids), path)
            commands.append([6, 0, ids])
        for key, code in (("delete", 2), ("remove", 3), ("add", 4)):
            if key in ops:
                commands.extend([code, rid] for rid in _id_list(ops[key], f"field '{path}.{key}'"))
        for key in ("update", "create"):
            if key not in ops:
                continue
            records = ops[key]
            if not isinstance(records, (list, tuple)):
                raise BadRequest(f"field '{path}.{key}': expected a list of objects")
            for index, item in enumerate(records):
                where = f"{path}.{key}[{index}]"
                if not isinstance(item, Mapping):
                    raise BadRequest(f"field '{where}': expected an object, got {_kind(item)}")
                if key == "create":
                    vals = await self._nested(
                        relation, item, path=where, depth=depth, mode="create"
                    )
                    commands.append([0, 0, vals])
                    continue
                if "id" not in item:
                    raise BadRequest(f"field '{where}': an update needs an 'id'")
                record_id = _record_id(item["id"], f"field '{where}'")
                rest = {k: v for k, v in item.items() if k != "id"}
                vals = await self._nested(relation, rest, path=where, depth=depth, mode="update")
                commands.append([1, record_id, vals])
        self._spend(len(commands), path)
        return commands
