"""create / write / unlink, with Odoo's validations, x2many commands and their order.

Odoo creates a record in two phases, and the sandbox keeps them because they
decide which failures consume an id:

1. field names and values are checked and converted (unknown field, bad
   selection value...): nothing is consumed;
2. the row is inserted (its id is taken from the sequence), then the SQL
   constraints, the x2many commands and the Python constraints run: a failure
   here has consumed the id, as in PostgreSQL.

Every RPC call runs in a store transaction (see :mod:`.store`), so a failure at
any point leaves no partial change behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import MissingError, ValidationError
from .fields import MISSING, X2MANY, Field, to_cache

if TYPE_CHECKING:
    from .orm import BaseModel


@dataclass
class Prepared:
    scalars: dict[str, Any] = field(default_factory=dict)
    x2many: dict[str, Any] = field(default_factory=dict)
    related: dict[str, Any] = field(default_factory=dict)


def defaults(model: BaseModel, fnames: list[str] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for fname, fld in model.fields().items():
        if fld.default is MISSING or (fnames is not None and fname not in fnames):
            continue
        value = fld.default(model) if callable(fld.default) else fld.default
        result[fname] = list(value) if isinstance(value, list) else value
    return result


def prepare(model: BaseModel, vals: Any, *, creating: bool) -> Prepared:
    """Phase 1: check field names, convert values, add defaults (no mutation)."""
    if not isinstance(vals, dict):
        kind = "create" if creating else "write"
        raise TypeError(f"{kind}() expects a dict of field values, not {type(vals).__name__}")
    vals = model._rewrite_vals(dict(vals))
    fields = model.fields()
    result = Prepared()
    for fname, value in vals.items():
        fld = fields.get(fname)
        if fld is None:
            where = f"in {model._name!r}" if creating else f"on model {model._name!r}"
            raise ValueError(f"Invalid field {fname!r} {where}")
        if fname == "id":
            continue
        model.check_field_access(fname, "write")
        if fld.related:
            if not fld.readonly:
                result.related[fname] = value
        elif fld.type in X2MANY:
            result.x2many[fname] = value
        elif fld.store:
            result.scalars[fname] = to_cache(fld, model._name, value)
    if creating:
        for fname, value in defaults(model).items():
            if fname not in vals:
                if fields[fname].type in X2MANY:
                    result.x2many[fname] = value
                else:
                    result.scalars[fname] = value
        model._complete_vals(result.scalars)
    return result


def create(model: BaseModel, vals_list: Any) -> list[int]:
    if isinstance(vals_list, dict):
        vals_list = [vals_list]
    if not isinstance(vals_list, list | tuple):
        raise TypeError(
            f"create() expects a dict or a list of dicts, not {type(vals_list).__name__}"
        )
    model.check_access_operation("create")
    prepared = [prepare(model, vals, creating=True) for vals in vals_list]
    return [_insert(model, item) for item in prepared]


def _insert(model: BaseModel, item: Prepared) -> int:
    model._before_insert(item.scalars, item.related)
    rid = model.store.next_id(model._name)
    model._check_insert(rid, item.scalars)
    check_required(model, item.scalars, creating=True)
    check_references(model, item.scalars)
    row = dict(item.scalars)
    _stamp(model, row, creating=True)
    model.store.insert(model._name, rid, row)
    record = model.browse([rid])
    fields = model.fields()
    for fname, value in item.x2many.items():
        apply_x2many(record, rid, fields[fname], value)
    for fname, value in item.related.items():
        _write_related(record, rid, fields[fname], value)
    record._after_create(rid)
    record._constrains(rid)
    return rid


def _stamp(model: BaseModel, row: dict[str, Any], *, creating: bool) -> None:
    fields = model.fields()
    now = model.env.registry.timestamp()
    stamps = {"write_uid": model.env.uid, "write_date": now}
    if creating:
        stamps.update(create_uid=model.env.uid, create_date=now)
    for fname, value in stamps.items():
        if fname in fields:
            row[fname] = value


def write(model: BaseModel, vals: Any) -> bool:
    model.check_access_operation("write")
    if not isinstance(vals, dict):
        raise TypeError(f"write() expects a dict of field values, not {type(vals).__name__}")
    if not model.ids:
        return True
    check_existing(model)
    model.check_rules("write")
    item = prepare(model, vals, creating=False)
    check_required(model, item.scalars, creating=False)
    check_references(model, item.scalars)
    fields = model.fields()
    store = model.store
    stamps: dict[str, Any] = {}
    _stamp(model, stamps, creating=False)
    ids = list(dict.fromkeys(model.ids))
    for rid in ids:
        for fname, value in {**item.scalars, **stamps}.items():
            store.set(model._name, rid, fname, list(value) if isinstance(value, list) else value)
        for fname, value in item.x2many.items():
            apply_x2many(model.browse([rid]), rid, fields[fname], value)
        for fname, value in item.related.items():
            _write_related(model, rid, fields[fname], value)
    model.browse(ids)._after_write(vals)
    for rid in ids:
        model._constrains(rid)
    return True


def unlink(model: BaseModel) -> bool:
    model.check_access_operation("unlink")
    if not model.ids:
        return True
    check_existing(model)
    model.check_rules("unlink")
    model._before_unlink()
    for rid in dict.fromkeys(model.ids):
        delete(model, rid)
    return True


def delete(model: BaseModel, rid: int) -> None:
    """Remove a row and apply the ``ondelete`` of every field pointing at it."""
    if rid not in model.rows:
        return
    registry = model.env.registry
    tables = registry.store.tables
    for ref_model, fld in registry.inbound.get(model._name, ()):
        rows = tables[ref_model]
        if fld.type == "many2many":
            for oid, row in list(rows.items()):
                if rid in row.get(fld.name, ()):
                    kept = [i for i in row[fld.name] if i != rid]
                    registry.store.set(ref_model, oid, fld.name, kept)
            continue
        refs = [
            oid
            for oid, row in rows.items()
            if row.get(fld.name) == rid and (oid != rid or ref_model != model._name)
        ]
        if not refs:
            continue
        ondelete = effective_ondelete(fld)
        if ondelete == "restrict":
            ref = model.env[ref_model]
            raise ValidationError(
                "The operation cannot be completed: another model requires the record being "
                f"deleted. If possible, archive it instead.\n\nModel: {ref._description} "
                f"({ref_model})\nConstraint: {_table(ref_model)}_{fld.name}_fkey\n"
            )
        for oid in refs:
            if ondelete == "cascade":
                delete(model.env.sudo()[ref_model], oid)
            else:
                registry.store.set(ref_model, oid, fld.name, False)
    if rid in model.rows:
        registry.store.delete(model._name, rid)


def effective_ondelete(fld: Field) -> str:
    if fld.ondelete != "set null":
        return fld.ondelete
    return "restrict" if fld.required else "set null"


def _table(model: str) -> str:
    return model.replace(".", "_")


# --- checks --------------------------------------------------------------------


def check_existing(model: BaseModel) -> None:
    missing = tuple(dict.fromkeys(rid for rid in model.ids if rid not in model.rows))
    if missing:
        raise MissingError(
            "Record does not exist or has been deleted.\n"
            f"(Record: {model._name}{missing!r}, User: {model.env.uid})"
        )


def required_error(model: BaseModel, fld: Field) -> ValidationError:
    return ValidationError(
        f"The operation cannot be completed: Missing required value for the field "
        f"'{fld.string}' ({fld.name}).\nModel: '{model._description}' ({model._name})\n"
        "- create/update: a mandatory field is not set\n"
        "- delete: another model requires the record being deleted, you can archive it instead\n"
    )


#: Types whose empty value is a value (False, 0): never a NOT NULL violation.
_NEVER_NULL = frozenset({"boolean", "integer", "float", "monetary"})


def check_required(model: BaseModel, scalars: dict[str, Any], *, creating: bool) -> None:
    for fname, fld in model.fields().items():
        if not fld.required or not fld.store or fld.related or fld.type in X2MANY:
            continue
        if fld.type in _NEVER_NULL or (not creating and fname not in scalars):
            continue
        value = scalars.get(fname, False)
        if value is False or value is None:
            raise required_error(model, fld)


def check_references(model: BaseModel, scalars: dict[str, Any]) -> None:
    """A many2one value must name an existing record (PostgreSQL foreign keys)."""
    fields = model.fields()
    for fname, value in scalars.items():
        fld = fields.get(fname)
        if fld is not None and fld.type == "many2one" and value:
            _check_target(model, fld, value)


def _check_target(model: BaseModel, fld: Field, target: Any) -> None:
    comodel = model.env.get(fld.relation or "")
    if comodel is None or target in comodel.rows:
        return
    raise ValidationError(
        "The operation cannot be completed: another model requires the record being deleted. "
        f"If possible, archive it instead.\n\nModel: {model._description} ({model._name})\n"
        f"Constraint: {_table(model._name)}_{fld.name}_fkey\n"
    )


# --- x2many commands ----------------------------------------------------------


def commands(model: BaseModel, fld: Field, value: Any) -> list[tuple[Any, ...]]:
    """Normalise an x2many value to a list of command tuples, as Odoo reads it."""
    if value is False or value is None:
        return [(5,)]
    if not isinstance(value, list | tuple):
        raise ValueError(f"Wrong value for {model._name}.{fld.name}: {value!r}")
    if all(_is_id(item) for item in value):
        return [(6, 0, list(value))]
    result: list[tuple[Any, ...]] = []
    for item in value:
        if isinstance(item, dict):
            raise TypeError("unhashable type: 'dict'")
        if _is_id(item):
            result.append((4, item))
        elif isinstance(item, list | tuple) and item and _is_id(item[0]):
            result.append(tuple(item))
        else:
            raise ValueError(f"Wrong value for {model._name}.{fld.name}: {value!r}")
    return result


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def apply_x2many(record: BaseModel, rid: int, fld: Field, value: Any) -> None:
    todo = commands(record, fld, value)
    comodel = record.env.get(fld.relation or "")
    if comodel is None:
        return  # a model the sandbox does not have: nothing to link to
    for command in todo:
        _apply(record, rid, fld, comodel, command)


def _apply(
    record: BaseModel, rid: int, fld: Field, comodel: BaseModel, command: tuple[Any, ...]
) -> None:
    code = command[0]
    arg = command[1] if len(command) > 1 else 0
    payload = command[2] if len(command) > 2 else None
    one2many = fld.type == "one2many"
    if code == 0:
        vals = dict(payload or {}) if isinstance(payload, dict) or not payload else payload
        if one2many and isinstance(vals, dict):
            vals[fld.inverse_name or ""] = rid
        (new_id,) = create(comodel, [vals])
        if not one2many:
            _link(record, rid, fld, comodel, [new_id], add=True)
    elif code == 1:
        write(comodel.browse([arg]), payload if payload is not None else {})
    elif code == 2:
        unlink(comodel.browse([arg]))
    elif code == 3:
        if one2many:
            _detach(comodel, fld, [arg], rid)
        else:
            _link(record, rid, fld, comodel, [arg], add=False)
    elif code == 4:
        if one2many:
            write(comodel.browse([arg]), {fld.inverse_name: rid})
        else:
            _link(record, rid, fld, comodel, [arg], add=True)
    elif code in (5, 6):
        wanted = [] if code == 5 else list(payload or [])
        if not all(_is_id(i) for i in wanted):
            raise ValueError(f"Wrong value for {record._name}.{fld.name}: {command!r}")
        current = list(record.value(rid, fld.name))
        if one2many:
            _detach(comodel, fld, [i for i in current if i not in wanted], rid)
            if wanted:
                write(comodel.browse(wanted), {fld.inverse_name: rid})
        else:
            _link(record, rid, fld, comodel, [i for i in current if i not in wanted], add=False)
            _link(record, rid, fld, comodel, wanted, add=True)
    else:
        raise ValueError(f"Wrong value for {record._name}.{fld.name}: {command!r}")


def _detach(comodel: BaseModel, fld: Field, ids: list[int], rid: int) -> None:
    """Command 3 on a one2many: the line leaves its parent (deleted if it cannot live alone)."""
    name = fld.inverse_name or ""
    inverse = comodel.fields().get(name)
    ids = [i for i in ids if i in comodel.rows and comodel.rows[i].get(name) == rid]
    if not ids or inverse is None:
        return
    if inverse.required or inverse.ondelete == "cascade":
        unlink(comodel.browse(ids))
    else:
        write(comodel.browse(ids), {inverse.name: False})


def _link(
    record: BaseModel, rid: int, fld: Field, comodel: BaseModel, ids: list[int], *, add: bool
) -> None:
    if not ids:
        return
    if add:
        for target in ids:
            _check_target(record, fld, target)
    store = record.store
    if fld.m2m_of:
        other_model, other_field = fld.m2m_of
        rows = store.tables[other_model]
        for target in ids:
            links = list(rows[target].get(other_field, [])) if target in rows else None
            if links is None:
                continue
            if add and rid not in links:
                store.set(other_model, target, other_field, [*links, rid])
            elif not add and rid in links:
                store.set(other_model, target, other_field, [i for i in links if i != rid])
        return
    current = list(record.rows[rid].get(fld.name, []))
    if add:
        new = current + [i for i in dict.fromkeys(ids) if i not in current]
    else:
        new = [i for i in current if i not in ids]
    if new != current:
        store.set(record._name, rid, fld.name, new)


def _write_related(record: BaseModel, rid: int, fld: Field, value: Any) -> None:
    """Write a related field through to the record it comes from (``_inherits``)."""
    path = fld.related or ()
    model = record.sudo()
    target: Any = rid
    for step in path[:-1]:
        target = model.value(target, step)
        if not target:
            return
        model = record.env.sudo()[model.fields()[step].relation or ""]
    write(model.browse([target]), {path[-1]: value})
