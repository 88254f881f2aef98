"""Reports restricted to groups: left out of a model's report list, refused to print.

An ``ir.actions.report`` may name groups (a many2many to ``res.groups``: ``groups_id``
up to Odoo 18, ``group_ids`` from Odoo 19). Odoo shows such a report in the Print
menu only to a member of one of them (``ir.actions.actions.get_bindings``), but its
``/report/<format>/<name>/<ids>`` route never looks at them: it reads the report with
superuser rights and the records as the user. The gateway honours the restriction in
both places, so the API is no way around what the administrator set: the list
leaves the report out and printing it is a 403 before Odoo renders anything.

Everything is asked as the user. Every internal user may read report actions (the
``mail`` module grants it) and their groups field, and their own ``res.users`` row:
the groups it holds with the implied ones are ``groups_id`` up to 18 (stored so) and
``all_group_ids`` on 19 (where ``group_ids`` holds only the groups given). That is
one ``read`` of one row, made only when a report at hand names groups.
"""

from __future__ import annotations

from typing import Any

from ..errors import AccessError, UpstreamError
from ..gateway import Gateway
from ..odoo.base import Credential

#: The first Odoo version with the new field names.
RENAMED_IN = 19


async def field_names(gw: Gateway) -> tuple[str, str]:
    """The report's groups field and the user's groups field (implied ones included)."""
    if await gw.odoo.server_major() >= RENAMED_IN:
        return "group_ids", "all_group_ids"
    return "groups_id", "groups_id"


def required(report: dict[str, Any], field: str) -> frozenset[int]:
    """The ids of the groups ``report`` is restricted to (empty: everyone's)."""
    value = report.get(field)
    if not isinstance(value, list):
        return frozenset()
    return frozenset(gid for gid in value if isinstance(gid, int))


async def user_groups(
    gw: Gateway, cred: Credential, field: str, ctx: dict[str, Any]
) -> frozenset[int]:
    """The ids of the user's groups, implied ones included, read as the user."""
    rows = await gw.odoo.call(cred, "res.users", "read", [[cred.uid], [field]], {"context": ctx})
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        raise UpstreamError(f"Odoo answered no {field} for user {cred.uid}")
    return required(rows[0], field)


async def printable(
    gw: Gateway,
    cred: Credential,
    reports: list[dict[str, Any]],
    fields: tuple[str, str],
    ctx: dict[str, Any],
) -> list[dict[str, Any]]:
    """``reports`` less those restricted to groups the user is in none of."""
    report_field, user_field = fields
    if not any(required(report, report_field) for report in reports):
        return reports
    mine = await user_groups(gw, cred, user_field, ctx)
    return [r for r in reports if _may(required(r, report_field), mine)]


async def check(
    gw: Gateway,
    cred: Credential,
    report: dict[str, Any],
    name: str,
    fields: tuple[str, str],
    ctx: dict[str, Any],
) -> None:
    """A 403 when ``report`` is restricted to groups the user is in none of."""
    groups = required(report, fields[0])
    if groups and not _may(groups, await user_groups(gw, cred, fields[1], ctx)):
        raise AccessError(
            f"report {name!r} is restricted to groups this user is not in "
            "(Odoo shows it in the Print menu of their members only)"
        )


def _may(groups: frozenset[int], mine: frozenset[int]) -> bool:
    return not groups or bool(groups & mine)
