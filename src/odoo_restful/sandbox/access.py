"""Access rights (per model and operation) and record rules, kept deliberately small.

Each user has a *profile* (stored on its row, never readable over RPC):

``system``
    administrators (OdooBot, Mitchell Admin): everything.
``user``
    internal users with Sales rights (Marc Demo, "Sales / User: Own Documents
    Only", and new users): everything except managing users, companies and the
    reference data (countries, currencies...); record rules limit their sales
    orders to their own (salesperson is the user or unset).
``nosales``
    internal user without Sales rights: no access at all to sales orders and their
    lines, read-only on everything else (no contact creation).
``portal``
    portal user: reads its own contact, its company and its own sales orders
    (record rules); reads reference data; writes nothing.

The technical models ``ir.model``, ``ir.model.data`` and ``ir.model.access`` are for
administrators only ("Access Rights"). Models the sandbox does not implement
(co-models of some fields) are readable as the recorded database said for each
profile (:mod:`.catalog`); nothing else is allowed on them.
"""

from __future__ import annotations

from . import catalog
from .errors import AccessError

Operation = str  # "read" | "write" | "create" | "unlink"

_VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}
_SALES = frozenset({"sale.order", "sale.order.line"})
_REFERENCE = frozenset(
    {
        "res.country",
        "res.country.state",
        "res.currency",
        "res.company",
        "res.users",
        "uom.uom",
        "crm.team",
        "product.category",
    }
)
_PORTAL_READ = frozenset(
    {
        "res.partner",
        "sale.order",
        "sale.order.line",
        "res.country",
        "res.country.state",
        "res.currency",
        "res.company",
        "res.users",
        "product.product",
        "product.template",
        "uom.uom",
    }
)
_SALES_READ_GROUPS = (
    "Accounting/Invoicing",
    "Sales/Administrator",
    "Sales/User: Own Documents Only",
    "Role / Portal",
    "Show Accounting Features - Readonly",
    "Show Full Accounting Features",
)
_GROUPS: dict[tuple[str, Operation], tuple[str, ...]] = {
    ("sale.order", "read"): _SALES_READ_GROUPS,
    ("sale.order.line", "read"): _SALES_READ_GROUPS,
    ("res.partner", "create"): ("Contact/Creation", "Sales/Administrator"),
    ("res.partner", "write"): ("Contact/Creation", "Sales/Administrator"),
    ("res.partner", "unlink"): ("Contact/Creation", "Sales/Administrator"),
    ("res.users", "read"): ("Role / User",),
    ("crm.team", "read"): ("Sales/Administrator", "Sales/User: Own Documents Only", "Role / User"),
}
_ACCESS_RIGHTS = ("Access Rights",)
_ADMIN_ONLY = frozenset({"ir.model", "ir.model.data", "ir.model.access"})
_EXTERNAL_GROUPS: dict[str, tuple[str, ...]] = {
    "account.analytic.line": (
        "Accounting/Administrator",
        "Accounting/Invoicing",
        "Analytic Accounting",
        "Show Accounting Features - Readonly",
    ),
}
_ADMINISTRATOR = ("Role / Administrator",)
_SALES_WRITE_GROUPS = ("Sales/Administrator", "Sales/User: Own Documents Only")
_SETTINGS_GROUPS = ("Administration/Settings",)
_ACCESS_RIGHTS_GROUPS = ("Administration/Access Rights",)


def allowed(profile: str, model: str, operation: Operation) -> bool:
    """ACL of ``profile`` on a sandbox model."""
    if profile == "system":
        return True
    if model in _ADMIN_ONLY:
        return False
    if profile == "user":
        return operation == "read" or model not in _REFERENCE
    if profile == "nosales":
        return model not in _SALES and operation == "read"
    if profile == "portal":
        return operation == "read" and model in _PORTAL_READ
    return False


def allowed_external(profile: str, model: str, operation: Operation) -> bool:
    """ACL of ``profile`` on a model the sandbox does not implement (read only)."""
    if profile == "system":
        return True
    return operation == "read" and catalog.may_read(profile, model)


def group_names(model: str, operation: Operation, *, external: bool = False) -> tuple[str, ...]:
    """Names of the groups that have ``operation`` on ``model``."""
    if external:
        return _EXTERNAL_GROUPS.get(model, _ADMINISTRATOR)
    return _groups(model, operation)


def _groups(model: str, operation: Operation) -> tuple[str, ...]:
    if model in _ADMIN_ONLY:
        return _ACCESS_RIGHTS
    known = _GROUPS.get((model, operation))
    if known:
        return known
    if model in _SALES:
        return _SALES_WRITE_GROUPS
    if model == "res.users":
        return _ACCESS_RIGHTS_GROUPS
    if model in _REFERENCE:
        return _SETTINGS_GROUPS
    return ("Role / User",)


def acl_error(
    model: str, description: str, operation: Operation, *, external: bool = False
) -> AccessError:
    """Odoo's message when the user's groups lack ``operation`` on ``model``."""
    names = group_names(model, operation, external=external)
    groups = "".join(f"\n\t- {group}" for group in names)
    verb = _VERBS.get(operation, operation)
    return AccessError(
        f"You are not allowed to {verb} '{description}' ({model}) records.\n\n"
        f"This operation is allowed for the following groups:{groups}\n\n"
        "Contact your administrator to request access if necessary."
    )


def rule_error(
    user_name: str, uid: int, model: str, description: str, operation: Operation
) -> AccessError:
    """Odoo's message when record rules hide some of the records operated on."""
    return AccessError(
        "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
        f"Sorry, {user_name} (id={uid}) doesn't have '{operation}' access to:\n"
        f"- {description} ({model})\n\n"
        "If you really, really need access, perhaps you can win over your friendly "
        "administrator with a batch of freshly baked cookies."
    )
