"""Odoo's ``base`` model extensions of the web client (``Base`` in Odoo's web module).

Every sandbox model inherits them: nested reads, grouped reads and ``onchange``.
The class is named ``Base`` because Odoo's Python errors name it
(``Base.formatted_read_group() got an unexpected keyword argument 'fields'``).
The work is done in :mod:`.web_read`, :mod:`.read_group` and :mod:`.onchange`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from . import api, onchange, read_group, web_read

if TYPE_CHECKING:
    from .orm import BaseModel


class Base:
    def _model(self) -> BaseModel:
        return cast("BaseModel", self)

    @api.records
    def web_read(self, specification: dict[str, Any]) -> list[dict[str, Any]]:
        return web_read.web_read(self._model(), specification)

    @api.model
    def web_search_read(
        self,
        domain: Any,
        specification: dict[str, Any],
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        count_limit: int | None = None,
    ) -> dict[str, Any]:
        return web_read.web_search_read(
            self._model(), domain, specification, offset, limit, order, count_limit
        )

    @api.model
    def formatted_read_group(
        self,
        domain: Any = (),
        groupby: Any = (),
        aggregates: Any = (),
        having: Any = (),
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[dict[str, Any]]:
        return read_group.formatted_read_group(
            self._model(), domain, groupby, aggregates, having, offset, limit, order
        )

    @api.model
    def web_read_group(
        self,
        domain: Any,
        groupby: Any,
        aggregates: Any = (),
        limit: int | None = None,
        offset: int = 0,
        order: str | None = None,
        auto_unfold: bool = False,
        opening_info: Any = None,
        unfold_read_specification: Any = None,
        unfold_read_default_limit: Any = None,
        groupby_read_specification: Any = None,
    ) -> dict[str, Any]:
        return read_group.web_read_group(
            self._model(), domain, groupby, aggregates, limit, offset, order
        )

    @api.records
    def onchange(
        self, values: dict[str, Any], field_names: Any, fields_spec: dict[str, Any]
    ) -> dict[str, Any]:
        return onchange.onchange(self._model(), values, field_names, fields_spec)
