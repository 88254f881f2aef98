"""Odoo 17+'s nested reads: ``web_read(ids, specification)`` and ``web_search_read``.

A specification maps field names to ``{}`` (the plain value) or to
``{"fields": {...}}`` (a relational field read as nested objects, to any depth).
Values follow the recordings:

* ``{}`` on a many2one is the bare id, on an x2many the list of ids, on any other
  field what ``read`` gives;
* ``{"fields": ...}`` on a many2one is ``{"id": id, ...}`` (``False`` when empty),
  on an x2many a list of such objects (an x2many may also carry ``limit`` and
  ``order``).

A many2one whose sub-specification asks only ``display_name`` is read with sudo
(Odoo shows the name of a record the user cannot open); asking any other field
reads the co-model as the user, so its access rights apply to the whole call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .fields import X2MANY, Field, to_read

if TYPE_CHECKING:
    from .orm import BaseModel

Spec = dict[str, Any]


def _check_spec(model: BaseModel, specification: Any) -> Spec:
    if not isinstance(specification, dict):
        raise TypeError(f"specification must be a dict, not {type(specification).__name__}")
    for fname, sub in specification.items():
        if not isinstance(sub, dict):
            raise TypeError(f"specification of {fname!r} must be a dict")
    if specification:
        model._check_field_names(list(specification))  # unknown fields, field groups
    return specification


def web_read(model: BaseModel, specification: Any) -> list[dict[str, Any]]:
    """The records of ``model`` (as the user: ACL and record rules) read by ``specification``."""
    spec = _check_spec(model, specification)
    model.check_access_operation("read")
    existing = model.browse([rid for rid in model.ids if rid in model.rows])
    existing.check_rules("read")
    existing._check_comodels([fname for fname in spec if fname != "id"])
    return _read(existing, spec)


def _read(model: BaseModel, spec: Spec) -> list[dict[str, Any]]:
    fields = model.fields()
    result: list[dict[str, Any]] = []
    for rid in model.ids:
        record: dict[str, Any] = {"id": rid}
        for fname, sub in spec.items():
            if fname == "id":
                continue
            record[fname] = format_value(model, fields[fname], model.value(rid, fname), sub)
        result.append(record)
    return result


def format_value(model: BaseModel, fld: Field, value: Any, sub: Spec) -> Any:
    """A cache ``value`` of ``fld`` as ``web_read`` shows it for the sub-specification ``sub``."""
    if fld.type == "many2one":
        return _many2one(model, fld, value, sub)
    if fld.type in X2MANY:
        return _x2many(model, fld, value, sub)
    bin_size = bool(model.env.context.get("bin_size"))
    return to_read(fld, value, model.env.display_name, bin_size=bin_size, classic=True)


def _comodel(model: BaseModel, fld: Field) -> BaseModel | None:
    return model.env.get(fld.relation or "")


def _many2one(model: BaseModel, fld: Field, value: Any, sub: Spec) -> Any:
    if not value:
        return False
    nested = sub.get("fields")
    if not isinstance(nested, dict):
        return value
    comodel = _comodel(model, fld)
    if comodel is None or value not in comodel.rows:
        return False
    if set(nested) <= {"display_name"}:
        comodel = comodel.sudo()
    (record,) = web_read(comodel.browse([value]), nested) or [{"id": value}]
    return record


def _x2many(model: BaseModel, fld: Field, value: Any, sub: Spec) -> Any:
    ids = list(value or [])
    comodel = _comodel(model, fld)
    if comodel is not None and fld.type == "many2many":
        ids = model._visible(fld, ids)
    nested = sub.get("fields")
    if not isinstance(nested, dict) or comodel is None:
        return ids
    order = sub.get("order")
    if order:
        ids = comodel.search_ids([("id", "in", ids)], order=order)
    limit = sub.get("limit")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0:
        ids = ids[:limit]
    return web_read(comodel.browse(ids), nested)


def web_search_read(
    model: BaseModel,
    domain: Any,
    specification: Any,
    offset: int = 0,
    limit: int | None = None,
    order: str | None = None,
    count_limit: int | None = None,
) -> dict[str, Any]:
    """``{"length", "records"}``: ``length`` counts the matches the user may see.

    As in Odoo, the count is only computed when the page is full; otherwise it is
    ``offset`` plus the records read. ``count_limit`` caps it.
    """
    spec = _check_spec(model, specification)
    model.check_access_operation("read")
    ids = model.search_ids(domain, offset, limit, order)
    records = _read(model.browse(ids), spec)
    length = len(records) + int(offset or 0)
    if limit and len(records) == limit:
        length = len(model.search_ids(domain, limit=count_limit))
    return {"length": length, "records": records}
