"""Field definitions and the value conversions of Odoo's field types.

Values are kept in a "cache" form, as Odoo's ORM keeps them in memory:

=====================  ==============================================
type                   cache value
=====================  ==============================================
char/text/html         ``str`` or ``False``
selection              one of the selection keys or ``False``
integer / float        ``int`` / ``float`` (``monetary`` is a float)
boolean                ``bool``
date / datetime        ``"YYYY-MM-DD"`` / ``"YYYY-MM-DD HH:MM:SS"`` or ``False``
binary                 base64 ``str`` or ``False``
many2one               record id (``int``) or ``False``
one2many / many2many   ``list[int]``
json / properties      any JSON value or ``False``
=====================  ==============================================

``to_read`` turns a cache value into what ``read`` returns (many2one as
``[id, display_name]``, binaries as a size with ``bin_size``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

RELATIONAL = frozenset({"many2one", "one2many", "many2many"})
X2MANY = frozenset({"one2many", "many2many"})
_TEXTUAL = frozenset({"char", "text", "html"})
DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

#: A default: a constant, or a function of the model (``BaseModel``) returning one.
Default = Any


@dataclass(slots=True)
class Field:
    name: str
    type: str
    string: str
    required: bool = False
    readonly: bool = False
    relation: str | None = None
    selection: list[list[str]] | None = None
    #: Attributes exactly as Odoo described them (``fields_get``), when recorded.
    recorded: dict[str, Any] = field(default_factory=dict)
    # --- behaviour (sandbox side, not shown on the wire) ---
    store: bool = True
    #: one2many: the many2one field of the comodel pointing back here.
    inverse_name: str | None = None
    #: many2many computed from the other side: (model, field) that stores the links.
    m2m_of: tuple[str, str] | None = None
    #: related field: a path of field names read (and written) through.
    related: tuple[str, ...] | None = None
    #: many2one: "set null", "restrict" or "cascade" when the target is deleted.
    ondelete: str = "set null"
    default: Default = MISSING
    help: str | None = None

    @property
    def computed(self) -> bool:
        return not self.store

    def empty(self) -> Any:
        """The value of this field on a record where it was never set."""
        if self.type in X2MANY:
            return []
        if self.type == "integer":
            return 0
        if self.type in ("float", "monetary"):
            return 0.0
        return False


def to_cache(fld: Field, model: str, value: Any) -> Any:
    """Validate and convert ``value`` written to a non-x2many field, as Odoo does."""
    kind = fld.type
    if kind in _TEXTUAL:
        if value is None or value is False:
            return False
        return value if isinstance(value, str) else str(value)
    if kind == "selection":
        if value is None or value is False:
            return False
        keys = {key for key, _label in fld.selection or ()}
        if not isinstance(value, str) or value not in keys:
            raise ValueError(f"Wrong value for {model}.{fld.name}: {value!r}")
        return value
    if kind == "integer":
        return int(value or 0)
    if kind in ("float", "monetary"):
        return float(value or 0.0)
    if kind == "boolean":
        return bool(value)
    if kind == "date":
        if not value:
            return False
        return datetime.strptime(_text(value)[:10], DATE_FORMAT).strftime(DATE_FORMAT)
    if kind == "datetime":
        if not value:
            return False
        text = _text(value)[:19]
        if len(text) == 10:
            text += " 00:00:00"
        return datetime.strptime(text, DATETIME_FORMAT).strftime(DATETIME_FORMAT)
    if kind == "binary":
        if not value:
            return False
        return _text(value)
    if kind == "many2one":
        if value is None or value is False or value == 0:
            return False
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ValueError(f"Wrong value for {model}.{fld.name}: {value!r}")
    if kind == "reference":
        return value or False
    # json, properties and anything else: stored as given
    return value if value is not None else False


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"strptime() argument 1 must be str, not {type(value).__name__}")
    return value


def human_size(size: int) -> str:
    """Odoo's ``human_size``: the binary size string read with ``bin_size``."""
    units = ("bytes", "Kb", "Mb", "Gb", "Tb")
    amount = float(size)
    i = 0
    while amount >= 1024 and i < len(units) - 1:
        amount /= 1024
        i += 1
    return f"{amount:0.2f} {units[i]}"


def base64_size(data: str) -> int:
    """Decoded length of a base64 string, without decoding it."""
    stripped = data.rstrip()
    padding = len(stripped) - len(stripped.rstrip("="))
    return max(0, len(stripped) * 3 // 4 - padding)


def to_read(
    fld: Field,
    value: Any,
    display_name: Callable[[str, int], str | None],
    *,
    bin_size: bool = False,
    classic: bool = True,
) -> Any:
    """The value ``read`` returns for a cache ``value`` of ``fld``."""
    kind = fld.type
    if kind == "many2one":
        if not value:
            return False
        if not classic:
            return value
        name = display_name(fld.relation or "", value)
        if name is None:
            return False
        return [value, name]
    if kind in X2MANY:
        return list(value or [])
    if kind == "binary" and bin_size and value:
        return human_size(base64_size(value))
    if kind in ("float", "monetary"):
        return float(value or 0.0)
    return value


# --- fields_get --------------------------------------------------------------

_COMMON_KEYS = (
    "change_default",
    "company_dependent",
    "default_export_compatible",
    "depends",
    "exportable",
    "groupable",
    "manual",
    "name",
    "readonly",
    "required",
    "searchable",
    "sortable",
    "store",
    "string",
    "type",
)


def describe(fld: Field, rec_name: str | None, has_parent: bool) -> dict[str, Any]:
    """Every attribute ``fields_get`` shows for ``fld`` (recorded ones win).

    A field recorded with every attribute (``depends`` is among them) is shown as recorded.
    """
    if "depends" in fld.recorded:
        return dict(sorted(fld.recorded.items()))
    desc: dict[str, Any] = {
        "change_default": False,
        "company_dependent": False,
        "default_export_compatible": fld.name == rec_name,
        "depends": [],
        "exportable": True,
        "groupable": fld.store and fld.type not in X2MANY | {"binary", "html", "text"},
        "manual": False,
        "name": fld.name,
        "readonly": fld.readonly,
        "required": fld.required,
        "searchable": True,
        "sortable": fld.store and fld.type not in X2MANY | {"binary", "html"},
        "store": fld.store,
        "string": fld.string,
        "type": fld.type,
    }
    if fld.help:
        desc["help"] = fld.help
    if fld.type in ("char", "text", "html"):
        desc["translate"] = False
    if fld.type == "char":
        desc["trim"] = True
    if fld.type == "selection":
        desc["selection"] = [list(pair) for pair in fld.selection or ()]
    if fld.type == "monetary":
        desc["currency_field"] = "currency_id"
    if fld.type == "binary":
        desc["attachment"] = True
    if fld.type in RELATIONAL:
        desc["relation"] = fld.relation
        desc["context"] = {}
        desc["domain"] = []
    if fld.type in RELATIONAL:
        desc["allow_hierachy_operators"] = has_parent
    if fld.type == "one2many":
        desc["relation_field"] = fld.inverse_name
    desc.update(fld.recorded)
    return dict(sorted(desc.items()))


def filter_attributes(desc: dict[str, Any], attributes: list[str] | None) -> dict[str, Any]:
    if not attributes:
        return desc
    wanted = set(attributes)
    return {key: value for key, value in desc.items() if key in wanted}
