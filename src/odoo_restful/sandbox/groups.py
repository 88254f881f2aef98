"""Field-level ``groups``: fields only some users may see, read or search on.

Odoo hides a field with ``groups="a,b"`` from ``fields_get`` for a user in none of
those groups, leaves it out of the default field list of ``read``, and refuses it
by name in ``read`` and in domains. A field's ``groups`` is its recorded
``fields_get`` attribute (``odoo-wire-19b/jsonrpc_fields_get_partner_*``: admin sees
163 res.partner fields, the salesperson demo 153); the groups of each user
profile are below.
"""

from __future__ import annotations

from .errors import AccessError

#: The groups (xmlids) of each user profile (see :mod:`.access`); ``system`` has all.
PROFILE_GROUPS: dict[str, frozenset[str]] = {
    "user": frozenset({"base.group_user", "sales_team.group_sale_salesman"}),
    "nosales": frozenset({"base.group_user"}),
    "portal": frozenset({"base.group_portal"}),
}

#: ``res.groups`` ids of the groups the sandbox knows. The recordings show no group
#: ids, so these are the sandbox's own numbers (its ``ir.model.data`` names them).
GROUP_IDS: dict[str, int] = {
    "base.group_user": 1,
    "base.group_erp_manager": 2,
    "base.group_system": 3,
    "base.group_portal": 10,
    "sales_team.group_sale_salesman": 20,
    "sales_team.group_sale_salesman_all_leads": 21,
    "sales_team.group_sale_manager": 22,
}

#: What each group implies (Odoo's ``implied_ids`` in base's and sales_team's data).
IMPLIED: dict[str, tuple[str, ...]] = {
    "base.group_erp_manager": ("base.group_user",),
    "base.group_system": ("base.group_erp_manager",),
    "sales_team.group_sale_salesman": ("base.group_user",),
    "sales_team.group_sale_salesman_all_leads": ("sales_team.group_sale_salesman",),
    "sales_team.group_sale_manager": ("sales_team.group_sale_salesman_all_leads",),
}

#: The groups each profile's users are given (19's ``res.users.group_ids``); the
#: groups they imply come on top (19's ``all_group_ids``, 16's ``groups_id``).
EXPLICIT_GROUPS: dict[str, tuple[str, ...]] = {
    "system": ("base.group_system", "sales_team.group_sale_manager"),
    "user": ("base.group_user", "sales_team.group_sale_salesman"),
    "nosales": ("base.group_user",),
    "portal": ("base.group_portal",),
}

#: Group names as Odoo prints them in the field access error, in Odoo's order.
GROUP_NAMES: dict[str, str] = {
    "base.group_user": "Role / User",
    "base.group_portal": "Role / Portal",
    "base.group_system": "Role / Administrator",
    "base.group_erp_manager": "Access Rights",
    "sales_team.group_sale_salesman": "Sales / User: Own Documents Only",
    "account.group_account_readonly": "Show Accounting Features - Readonly",
    "account.group_account_invoice": "Accounting / Invoicing",
}


def has_groups(profile: str, spec: str | None) -> bool:
    """Whether a user of ``profile`` is in one of the comma-separated groups ``spec``."""
    if not spec or profile == "system":
        return True
    mine = PROFILE_GROUPS.get(profile, frozenset())
    return any(group.strip() in mine for group in spec.split(","))


def field_error(
    model: str, description: str, fname: str, spec: str, uid: int, operation: str = "read"
) -> AccessError:
    """Odoo's message for a field whose groups the user lacks (read, search or write)."""
    wanted = [group.strip() for group in spec.split(",") if group.strip()]
    ordered = [g for g in GROUP_NAMES if g in wanted] + [g for g in wanted if g not in GROUP_NAMES]
    names = ", ".join(f"'{GROUP_NAMES.get(g, g)}'" for g in ordered)
    return AccessError(
        f'You do not have enough rights to access the field "{fname}" on {description} '
        f"({model}). Please contact your system administrator.\n\nOperation: {operation}\n"
        f"User: {uid}\nGroups: allowed for groups {names}"
    )


def with_implied(xmlids: tuple[str, ...]) -> frozenset[str]:
    """``xmlids`` and every group they imply, transitively."""
    found: set[str] = set()
    todo = list(xmlids)
    while todo:
        group = todo.pop()
        if group not in found:
            found.add(group)
            todo.extend(IMPLIED.get(group, ()))
    return frozenset(found)


def user_group_ids(profile: str, *, implied: bool) -> list[int]:
    """The ``res.groups`` ids of a user of ``profile``: as given, or with implied ones."""
    given = EXPLICIT_GROUPS.get(profile, ())
    names = with_implied(given) if implied else frozenset(given)
    return sorted(GROUP_IDS[name] for name in names)
