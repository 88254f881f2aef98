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
