"""Technical models: ``ir.model``, ``ir.model.data`` (external ids) and ``ir.model.access``.

Only administrators may read them (search_read as anyone else is an AccessError,
as recorded), but a few of their methods are public and work for every internal
user: ``ir.model.get_available_models`` / ``display_name_for``,
``ir.model.data.check_object_reference`` and ``ir.model.access.check`` /
``group_names_with_access``. ``ir.model`` holds one row per model of the recorded
database (:mod:`.catalog`), the sandbox's own models among them.
"""

from __future__ import annotations

from typing import Any

from . import access, api, catalog
from .groups import GROUP_IDS
from .orm import BaseModel, Env

_RO = {"store": False}

#: External ids the sandbox knows: (ir.model.data id, module, name, model, res_id).
XMLIDS: tuple[tuple[int, str, str, str, int], ...] = (
    (1, "base", "main_partner", "res.partner", 1),
    (2, "base", "main_company", "res.company", 1),
    (3, "base", "partner_root", "res.partner", 2),
    (4, "base", "partner_admin", "res.partner", 3),
    (5, "base", "public_partner", "res.partner", 4),
    (6, "base", "partner_demo", "res.partner", 7),
    (7, "base", "partner_demo_portal", "res.partner", 8),
    # what partner 9 is called in the 19b recordings (get_external_id on [1, 3, 9])
    (8, "base", "res_partner_2", "res.partner", 9),
    (10, "base", "user_root", "res.users", 1),
    (11, "base", "user_admin", "res.users", 2),
    (12, "base", "public_user", "res.users", 3),
    (13, "base", "template_portal_user_id", "res.users", 4),
    (14, "base", "user_demo", "res.users", 5),
    (15, "base", "demo_user0", "res.users", 6),
    (20, "base", "USD", "res.currency", 1),
    (21, "base", "EUR", "res.currency", 2),
    (30, "base", "be", "res.country", 20),
    (31, "base", "de", "res.country", 57),
    (32, "base", "fr", "res.country", 75),
    (33, "base", "in", "res.country", 104),
    (34, "base", "uk", "res.country", 231),
    (35, "base", "us", "res.country", 233),
    (40, "uom", "product_uom_unit", "uom.uom", 1),
    (41, "uom", "product_uom_dozen", "uom.uom", 2),
    (42, "uom", "product_uom_kgm", "uom.uom", 3),
    (50, "product", "product_category_all", "product.category", 1),
    (60, "sales_team", "team_sales_department", "crm.team", 1),
    # Odoo's sale demo data names its orders so (the report tests name one by it)
    (70, "sale", "sale_order_1", "sale.order", 1),
    (71, "sale", "sale_order_2", "sale.order", 2),
    # the groups of groups.py (reports restricted to groups, users' groups)
    *(
        (80 + n, xmlid.partition(".")[0], xmlid.partition(".")[2], "res.groups", gid)
        for n, (xmlid, gid) in enumerate(GROUP_IDS.items())
    ),
)


def load(env: Env) -> None:
    """Seed ``ir.model`` from the catalog and ``ir.model.data`` from :data:`XMLIDS`."""
    models = env["ir.model"].rows
    for info in catalog.models().values():
        models[info.id] = {
            "model": info.model,
            "name": info.name,
            "order": "id",
            "info": False,
            "state": "base",
            "transient": info.transient,
            "abstract": info.abstract,
            "_access_ids": list(info.access_ids),
        }
    data = env["ir.model.data"].rows
    for rid, module, name, model, res_id in XMLIDS:
        data[rid] = {
            "module": module,
            "name": name,
            "model": model,
            "res_id": res_id,
            "noupdate": False,
        }


class IrModel(BaseModel):
    _name = "ir.model"
    _description = "Models"
    _order = "model"
    _field_options = {"display_name": _RO, "modules": _RO}

    def value(self, rid: int, fname: str) -> Any:
        if fname == "access_ids":  # the recorded ids (the sandbox has no access rows)
            return list(self.rows[rid].get("_access_ids", []))
        return super().value(rid, fname)

    def _compute_modules(self, rid: int) -> str:
        return str(self.value(rid, "model")).split(".", 1)[0]

    @api.model
    def get_available_models(self) -> list[dict[str, str]]:
        """The models the user may read (not transient, not abstract); none for portal users."""
        if self.env.profile == "portal" and not self.env.su:
            return []
        infos = catalog.models()
        result = []
        for model in catalog.readable_models("system" if self.env.su else self.env.profile):
            info = infos.get(model)
            if info is None or info.transient or info.abstract:
                continue
            if self.env.can(model, "read"):
                result.append({"display_name": info.name, "model": model})
        return result

    @api.model
    def display_name_for(self, models: list[str]) -> list[dict[str, str]]:
        """Each model's description, or its technical name when the user may not read it."""
        if not isinstance(models, list | tuple):
            raise TypeError(f"'{type(models).__name__}' object is not iterable")
        result = []
        for model in models:
            name = str(model)
            described = catalog.description(name)
            shown = described if described and self.env.can(name, "read") else name
            result.append({"display_name": shown, "model": name})
        return result


class IrModelData(BaseModel):
    _name = "ir.model.data"
    _description = "Model Data"
    _order = "module, model, name"
    _rec_name = "complete_name"
    _field_options = {"display_name": _RO, "complete_name": _RO}

    def _compute_complete_name(self, rid: int) -> str:
        return f"{self.value(rid, 'module')}.{self.value(rid, 'name')}"

    @api.model
    def check_object_reference(
        self, module: str, xml_id: str, raise_on_access_error: bool = False
    ) -> list[Any]:
        """``[model, res_id]`` of ``module.xml_id``; needs no rights on ir.model.data."""
        for row in self.rows.values():
            if row.get("module") == module and row.get("name") == xml_id:
                model, res_id = str(row["model"]), int(row["res_id"])
                target = self.env.get(model)
                if target is not None and raise_on_access_error:
                    target.browse([res_id]).check_access("read")
                return [model, res_id]
        raise ValueError(f"External ID not found in the system: {module}.{xml_id}")


class IrModelAccess(BaseModel):
    _name = "ir.model.access"
    _description = "Model Access"
    _order = "model_id, group_id, name, id"
    _field_options = {"display_name": _RO}

    @api.model
    def check(self, model: str, mode: str = "read", raise_exception: bool = True) -> bool:
        """The user's ACL on ``model`` for ``mode`` (record rules are not involved)."""
        allowed = isinstance(model, str) and self.env.can(model, mode)
        if not allowed and raise_exception:
            raise self.env.acl_error(str(model), mode)
        return allowed

    @api.model
    def group_names_with_access(self, model_name: str, access_mode: str) -> list[str]:
        external = model_name not in self.env.registry.models
        return list(access.group_names(model_name, access_mode, external=external))


__all__ = ["XMLIDS", "IrModel", "IrModelAccess", "IrModelData", "load"]
