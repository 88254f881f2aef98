"""The one walk over create/write values.

It resolves the seed's ``__api__`` keys, turns friendly relational forms into Odoo
commands (through the pure builders of :mod:`.forms`), and reports every record
the values would create, change or delete — at any depth — to a ``Guard`` before
anything reaches Odoo. Scopes and the write deny-list are such guards, so they see
exactly what translation sees: nested commands, friendly lists and operations.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from .. import params
from ..errors import BadRequest, InvalidParameters
from ..odoo.metadata import FieldsInfo as FieldsInfo
from . import forms

API_PREFIX: Final = "__api__"
X2MANY: Final = frozenset({"one2many", "many2many"})


Action = Literal["create", "write", "delete"]
Mode = Literal["create", "write", "update"]


@dataclass(frozen=True, slots=True)
class X2ManySite:
    """An x2many value met by the walk: its field, where it stands, how it is written."""

    model: str  # the model of the record that holds the field
    name: str
    ftype: str  # one2many or many2many
    relation: str | None
    path: str  # as errors name it: ``order_line[0].tax_id``
    depth: int
    mode: Mode


class FieldsLookup(Protocol):
    """Returns the (cached) field metadata of a model, as the calling user sees it."""

    async def __call__(self, model: str, /) -> FieldsInfo: ...


class CurrentLines(Protocol):
    """Returns the current ids of a one2many field of the record being written."""

    async def __call__(self, model: str, field: str) -> list[int]: ...


class Guard(Protocol):
    """Sees every record the values act on; raises to refuse the whole request.

    ``model`` is None when the relation is unknown; ``fields`` are the names written
    (empty for a delete, or for a one2many link that rewrites the line's parent).
    """

    def __call__(
        self, model: str | None, action: Action, fields: Collection[str], where: str
    ) -> None: ...


class Resolver(Protocol):
    """Turns external ids (``module.name``) into ids of records of ``model``; raises
    for an unknown one or one naming a record of another model."""

    async def __call__(
        self, model: str | None, refs: Collection[str], where: str
    ) -> Mapping[str, int]: ...


def needs_metadata(vals: Mapping[str, Any], *, refs: bool = False) -> bool:
    """True when the values may change in translation (so field types are needed).

    That is: an ``__api__`` key, or any dict or list value (a list of ids must
    become ``[[6, 0, ids]]`` on an x2many field). Scalars never need translation,
    so the common write of plain values skips the ``fields_get`` lookup.
    """
    for key, value in vals.items():
        if isinstance(key, str) and key.startswith(API_PREFIX):
            return True
        if isinstance(value, (Mapping, list, tuple)):
            return True
        if refs and forms.is_xmlid(value):  # maybe a many2one named by external id
            return True
    return False


class Walk:
    """State of one walk: lookups, the guard, and the caps on work and size."""

    def __init__(
        self,
        fields: FieldsLookup,
        *,
        current: CurrentLines | None = None,
        guard: Guard | None = None,
        resolve: Resolver | None = None,
        max_depth: int = 4,
        max_commands: int = 1000,
        max_literal_chars: int = 64 * 1024,
    ) -> None:
        self._fields = fields
        self._current = current
        self._guard = guard
        self._resolve = resolve
        self._max_depth = max_depth
        self._max_commands = max_commands
        self._commands_left = max_commands
        self._max_literal = max_literal_chars
        self._literal_left = max_literal_chars

    # --- budgets ---

    def _spend(self, count: int, where: str) -> None:
        self._commands_left -= count
        if self._commands_left < 0:
            raise BadRequest(
                f"field '{where}': too many x2many commands or ids in one request "
                f"(max {self._max_commands})"
            )

    def _literal(self, text: str, label: str) -> Any:
        self._literal_left -= len(text)
        if self._literal_left < 0:
            raise BadRequest(
                f"'{label}': the request's literal values are too large in total "
                f"(max {self._max_literal} characters)"
            )
        return params.parse_literal(text, what=f"'{label}'")

    def _check(self, model: str | None, action: Action, names: Collection[str], where: str) -> None:
        if self._guard is not None:
            self._guard(model, action, names, where)

    # --- records ---

    async def record(
        self, model: str | None, vals: Any, *, prefix: str, depth: int, mode: Mode
    ) -> dict[str, Any]:
        """Translate the values of one record of ``model`` (None: relation unknown)."""
        where = prefix or "values"
        if not isinstance(vals, Mapping):
            raise BadRequest(f"{where}: record values must be an object, got {forms.kind(vals)}")
        if depth > self._max_depth:
            raise BadRequest(f"{where}: records nested deeper than {self._max_depth} levels")
        names = self._field_names(vals, prefix)
        self._check(model, "create" if mode == "create" else "write", names, where)
        if model is None or not needs_metadata(vals, refs=self._resolve is not None):
            return self._plain(vals, prefix, info=None)
        info = await self._fields(model)
        plain = self._plain(vals, prefix, info=info)
        out: dict[str, Any] = {}
        for name, value in plain.items():
            meta = info.get(name)
            ftype = meta.get("type") if isinstance(meta, Mapping) else None
            path = f"{prefix}.{name}" if prefix else name
            if self._resolve is not None and (ftype == "many2one" or ftype in X2MANY):
                assert meta is not None
                refs = forms.refs_in(value, str(ftype))
                if refs:
                    relation = meta.get("relation")
                    target = relation if isinstance(relation, str) else None
                    ids = await self._resolve(target, refs, path)
                    value = forms.with_ids(value, str(ftype), ids)
            if ftype == "many2one":
                out[name] = forms.many2one(value, path)
            elif ftype in X2MANY:
                assert meta is not None
                relation = meta.get("relation")
                target = relation if isinstance(relation, str) else None
                site = X2ManySite(model, name, str(ftype), target, path, depth, mode)
                out[name] = await self._x2many(value, site)
            else:
                out[name] = value
        return out

    @staticmethod
    def _field_names(vals: Mapping[str, Any], prefix: str) -> list[str]:
        names = []
        for key in vals:
            if not isinstance(key, str):
                raise BadRequest(f"{prefix or 'values'}: field names must be strings")
            names.append(key.removeprefix(API_PREFIX))
        return names

    def _plain(
        self, vals: Mapping[str, Any], prefix: str, *, info: FieldsInfo | None
    ) -> dict[str, Any]:
        """Resolve the seed's ``__api__<field>`` keys (literal strings of commands).

        With the model's fields known, an unknown field is refused before its
        literal is read, so a request cannot buy parsing work with made-up names.
        """
        out: dict[str, Any] = {}
        for key, value in vals.items():
            if not key.startswith(API_PREFIX):
                out[key] = value
                continue
            name = key[len(API_PREFIX) :]
            label = f"{prefix}.{key}" if prefix else key
            if not params.is_field_name(name):
                raise BadRequest(f"'{label}': expected a field name after {API_PREFIX!r}")
            if name in vals:
                raise BadRequest(f"both '{key}' and '{name}' were given: send only one")
            if info is not None and name not in info:
                raise InvalidParameters(f"'{label}': unknown field {name!r}")
            if isinstance(value, str):
                out[name] = self._literal(value, label)
            else:
                out[name] = params.to_plain_data(value, what=f"'{label}'")
        return out

    # --- x2many values ---

    async def _x2many(self, value: Any, site: X2ManySite) -> Any:
        ftype, relation, path, depth = site.ftype, site.relation, site.path, site.depth
        form = forms.x2many_form(value, ftype, path)
        if form == "scalar":
            return value  # Odoo's to judge (False/None clear the relation)
        one2many = ftype == "one2many"
        if form == "operations":
            return await self._operations(
                value, ftype=ftype, relation=relation, path=path, depth=depth
            )
        if form == "ids":
            ids = forms.id_list(list(value), f"field '{path}'")
            self._spend(1 + len(ids), path)
            if one2many:
                self._check(relation, "write", (), path)
            return [[6, 0, ids]]
        if form == "commands":
            return await self._commands(
                list(value), relation=relation, one2many=one2many, path=path, depth=depth
            )
        return await self._friendly(list(value), site)

    async def _nested(
        self, relation: str | None, vals: Any, *, path: str, depth: int, mode: Mode
    ) -> dict[str, Any]:
        return await self.record(relation, vals, prefix=path, depth=depth + 1, mode=mode)

    async def _commands(
        self, items: list[Any], *, relation: str | None, one2many: bool, path: str, depth: int
    ) -> list[Any]:
        """Check raw Odoo commands; translate and guard the values nested in them."""
        self._spend(len(items), path)
        out: list[Any] = []
        for index, raw in enumerate(items):
            where = f"{path}[{index}]"
            code, command = forms.check_command(raw, where)
            if code == 0:
                vals = await self._nested(
                    relation, command[2], path=where, depth=depth, mode="create"
                )
                out.append([0, command[1], vals])
            elif code == 1:
                rid = forms.record_id(command[1], f"field '{where}'")
                vals = await self._nested(
                    relation, command[2], path=where, depth=depth, mode="update"
                )
                out.append([1, rid, vals])
            elif code == 2:
                self._check(relation, "delete", (), where)
                out.append([2, forms.record_id(command[1], f"field '{where}'"), *command[2:]])
            elif code == 6:
                ids = forms.id_list(command[2], f"field '{where}'")
                self._spend(len(ids), path)
                if one2many:
                    self._check(relation, "write", (), where)
                out.append([6, command[1], ids])
            else:  # 3 remove, 4 link, 5 clear: on a one2many they rewrite the line's parent
                if one2many:
                    self._check(relation, "write", (), where)
                if code == 5:
                    out.append(command)
                else:
                    out.append(
                        [code, forms.record_id(command[1], f"field '{where}'"), *command[2:]]
                    )
        return out

    async def _friendly(self, items: list[Any], site: X2ManySite) -> list[Any]:
        """A list of ``{"id": n, ...}`` / ``{...}`` / ids: the new set of records."""
        relation, path, depth, mode = site.relation, site.path, site.depth, site.mode
        entries = forms.friendly_entries(items, path)
        self._spend(len(entries), path)
        listed = {rid for rid, _ in entries if rid is not None}
        commands: list[Any] = []
        existing: set[int] = set()
        if site.ftype == "many2many":
            commands.append([6, 0, [rid for rid, _ in entries if rid is not None]])
            existing = listed  # after [6], every listed id is linked already
        else:
            if mode == "update":
                raise BadRequest(
                    f"field '{path}' (one2many): a list of lines replaces all lines, which is "
                    "only supported on the record being written; use raw commands or an "
                    'operations object ({"create": [...], "update": [...], "delete": [...]}) here'
                )
            if any(rid is not None for rid, _ in entries):
                self._check(relation, "write", (), path)  # linking lines rewrites their parent
            if mode == "write":
                assert self._current is not None
                current = list(await self._current(site.model, site.name))
                existing = set(current)
                removed = [line for line in current if line not in listed]
                self._spend(len(removed), path)
                if removed:
                    self._check(relation, "delete", (), path)
                commands.extend([2, line] for line in removed)
        for index, (rid, rest) in enumerate(entries):
            where = f"{path}[{index}]"
            if rid is None:
                vals = await self._nested(relation, rest, path=where, depth=depth, mode="create")
                commands.append([0, 0, vals])
                continue
            if rid not in existing:
                commands.append([4, rid])
            if rest is not None:
                vals = await self._nested(relation, rest, path=where, depth=depth, mode="update")
                commands.append([1, rid, vals])
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
        forms.check_operations(ops, ftype, path)
        one2many = ftype == "one2many"
        commands: list[Any] = []
        if ops.get("clear", False):
            commands.append([5, 0, 0])
        if "set" in ops:
            ids = forms.id_list(ops["set"], f"field '{path}.set'")
            self._spend(len(ids), path)
            commands.append([6, 0, ids])
        for key, code in (("delete", 2), ("remove", 3), ("add", 4)):
            if key in ops:
                commands.extend(
                    [code, rid] for rid in forms.id_list(ops[key], f"field '{path}.{key}'")
                )
        if one2many and any(key in ops for key in ("clear", "set", "remove", "add")):
            self._check(relation, "write", (), path)
        if ops.get("delete") or (one2many and ops.get("remove")):
            self._check(relation, "delete", (), path)
        for item_index, item in enumerate(ops.get("update", [])):
            where = f"{path}.update[{item_index}]"
            rid = forms.record_id(item["id"], f"field '{where}'")
            rest = {k: v for k, v in item.items() if k != "id"}
            vals = await self._nested(relation, rest, path=where, depth=depth, mode="update")
            commands.append([1, rid, vals])
        for item_index, item in enumerate(ops.get("create", [])):
            where = f"{path}.create[{item_index}]"
            vals = await self._nested(relation, item, path=where, depth=depth, mode="create")
            commands.append([0, 0, vals])
        self._spend(len(commands), path)
        return commands
