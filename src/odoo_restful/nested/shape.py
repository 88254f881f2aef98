"""The one answer shape of a nested read, whatever strategy produced it.

* a plain field: as ``read`` gives it; a many2one without sub-fields stays
  ``[id, display_name]`` (or ``false``), as in flat reads;
* a many2one with sub-fields: ``{"id": ..., <the fields asked>}``, or ``false`` when empty;
* an x2many with sub-fields: a list of such objects, in Odoo's order;
* every record object starts with ``id``, then the fields in the order asked.
"""

from __future__ import annotations

from typing import Any

from .plan import DISPLAY_NAME, Level


def specification(level: Level) -> dict[str, Any]:
    """Odoo 17+'s ``web_search_read`` specification for a plan.

    A plain many2one asks for its ``display_name`` so it can be given back as the
    ``[id, name]`` pair of flat reads (web_search_read alone gives a bare id).
    """
    spec: dict[str, Any] = {}
    for field in level.fields:
        if field.sub is not None:
            spec[field.name] = {"fields": specification(field.sub)}
        elif field.kind == "many2one":
            spec[field.name] = {"fields": {DISPLAY_NAME: {}}}
        else:
            spec[field.name] = {}
    return spec


def from_web_read(level: Level, record: dict[str, Any]) -> dict[str, Any]:
    """A ``web_read``/``web_search_read`` record in the gateway's shape."""
    out: dict[str, Any] = {"id": record.get("id")}
    for field in level.fields:
        value = record.get(field.name, False)
        if field.sub is not None:
            if field.kind == "many2one":
                value = from_web_read(field.sub, value) if isinstance(value, dict) else False
            elif isinstance(value, list):
                value = [from_web_read(field.sub, v) for v in value if isinstance(v, dict)]
        elif field.kind == "many2one" and isinstance(value, dict):
            value = [value.get("id"), value.get(DISPLAY_NAME)]
        out[field.name] = value
    return out


def ordered(level: Level, record: dict[str, Any]) -> dict[str, Any]:
    """``id`` first, then the fields of ``level`` in the order asked."""
    out: dict[str, Any] = {"id": record.get("id")}
    for name in level.names:
        if name != "id":
            out[name] = record.get(name, False)
    return out
