"""What every part of the document shares: the metadata type, the options, JSON bits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from .. import __version__, params
from ..odoo.metadata import FieldsInfo as FieldsInfo

"""A ``fields_get`` result: field name -> attributes (``type``, ``string``...)."""

#: Models described when the caller names none; each only if the user can read it.
DEFAULT_MODELS: Final = (
    "res.partner",
    "res.partner.category",
    "res.country",
    "res.users",
    "product.product",
    "sale.order",
    "sale.order.line",
)

#: Where Odoo cannot list the models a user may read (before 17, ``get_available_models``
#: is missing, and ordinary users may not read ``ir.model``): these common models, each
#: only if the user may read it.
FALLBACK_MODELS: Final = (
    *DEFAULT_MODELS,
    "res.partner.bank",
    "res.country.state",
    "res.currency",
    "res.company",
    "crm.team",
    "crm.lead",
    "uom.uom",
    "product.category",
    "product.template",
    "account.move",
    "account.move.line",
    "account.journal",
    "account.tax",
    "purchase.order",
    "purchase.order.line",
    "stock.picking",
    "stock.move",
    "project.project",
    "project.task",
    "hr.employee",
    "calendar.event",
    "mail.message",
    "ir.attachment",
)

ID_MAX: Final = params.MAX_RECORD_ID
#: Odoo's empty value. Not ``{"const": false}``: generated clients (openapi-python-client)
#: then refuse every other member of the ``anyOf``.
FALSE: Final = {"type": "boolean", "enum": [False]}
NULL: Final = {"type": "null"}
#: What any member of an ``[id, "name"]`` pair may be (``prefixItems`` says which is
#: which; ``items`` is there for generators that ignore ``prefixItems``).
PAIR_ITEM: Final = {"type": ["integer", "string", "boolean"]}
JSON: Final = "application/json"
FORM: Final = "application/x-www-form-urlencoded"
#: Said in words, not as a second content type: generators mishandle a body that may
#: come in two types (openapi-python-client writes code that does not import).
FORM_TOO: Final = f"JSON; a form body ({FORM}) with the same fields is accepted too."


@dataclass(frozen=True, slots=True)
class DocumentOptions:
    """What the document says beyond the models: limits, scopes and words."""

    title: str = "odoo-restful"
    description: str = ""
    version: str = __version__
    default_limit: int = 80
    max_limit: int = 1000
    max_batch: int = 100
    #: Leave out create, write, delete and method calls (a read-only token).
    read_only: bool = False
    #: When set, the only method names the method-call route accepts.
    methods: Collection[str] | None = None
    #: Models asked for but left out (unknown, or not readable by the user).
    unavailable: Sequence[str] = field(default_factory=tuple)


def id_schema() -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": ID_MAX}
