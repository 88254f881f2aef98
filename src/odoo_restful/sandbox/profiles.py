"""What differs between the Odoo versions the sandbox speaks, in one place.

A :class:`Profile` is chosen when a :class:`~odoo_restful.sandbox.Sandbox` is
made (``Sandbox(odoo_version=16)``); while it answers a request the profile is
the *current* one (:func:`current`), so that the handlers, the error serializer
and the models consult it instead of testing version numbers. The facts come
from the recordings: ``../shared/odoo-wire/`` (19) and ``../shared/odoo-wire-16/``
(its README's difference table is the spec of :data:`ODOO_16`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import AccessError, ProgrammingError
from .fields import Field

#: Odoo <= 16's magic field: the last write (or create) date.
LAST_UPDATE = Field(
    "__last_update",
    "datetime",
    "Last Modified on",
    readonly=True,
    store=False,
    recorded={"string": "Last Modified on", "type": "datetime"},
)


@dataclass(frozen=True)
class Profile:
    """One Odoo version as seen on the wire."""

    major: int
    server_version: str
    #: JSON-RPC ``error.code`` of an application error (19: 0, 16: 200).
    rpc_error_code: int
    #: Routes that exist: ``POST /json/2/...``, ``GET /json/version``, ``/web/version``.
    has_json2: bool
    has_json_version: bool
    has_web_version: bool
    #: Order of the keys of ``error.data``.
    error_keys: tuple[str, ...]
    #: Web session id: random bytes as hex (16: 40 chars) or URL-safe text (19: 84 chars).
    session_id_hex: bool
    #: The session cookie is re-sent on every ``call_kw`` reply (19), or not (16).
    cookie_on_call_kw: bool
    #: A signed-in session gets a new id every few hours, the old one kept a while (19);
    #: 16 to 18 change the id only on sign-in and sign-out.
    rotates_sessions: bool
    #: ``name_get`` and the magic ``__last_update`` field exist (16).
    name_get: bool
    #: ``web_search_read``'s second parameter: ``fields`` (16) or ``specification`` (19).
    web_search_read_fields: bool
    #: SQL constraints over ``/jsonrpc`` come back as ``KeyError: 'lang'`` (this 16 build).
    sql_constraint_key_error: bool
    #: res.users' unique login constraint, as Odoo words it (16 has a space before "!").
    unique_login_text: str = (
        "The operation cannot be completed: You can not have two users with the same login!"
    )
    #: Methods this version does not have (an AttributeError as for any unknown method).
    missing_methods: frozenset[str] = frozenset()
    #: Keyword arguments named otherwise: (method, this version's name) -> the sandbox's.
    renamed_kwargs: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Field names that differ: model -> {19 name: this version's name}.
    renamed_fields: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Extra selection values: (model, field) -> [(value, label)] appended.
    extra_selection: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    #: 19 fields this version does not have: model -> names.
    dropped_fields: dict[str, frozenset[str]] = field(default_factory=dict)
    #: res.users' group field (16's ``groups_id``) holds the implied groups too; 19's
    #: ``group_ids`` holds the groups given, ``all_group_ids`` adds the implied ones.
    user_groups_implied: bool = False

    @property
    def version_info(self) -> dict[str, Any]:
        """``common.version`` / ``/web/webclient/version_info``."""
        return {
            "server_version": self.server_version,
            "server_version_info": [self.major, 0, 0, "final", 0, ""],
            "server_serie": f"{self.major}.0",
            "protocol_version": 1,
        }

    def private_method_error(self, model: Any, method: str) -> AccessError:
        if self.old_texts:
            return AccessError(f"Private methods (such as {method}) cannot be called remotely.")
        return AccessError(
            f"Private methods (such as '{model}.{method}') cannot be called remotely."
        )

    def dict_in_x2many(self) -> Exception:
        """A plain dict in a one2many/many2many value list."""
        if self.old_texts:
            return ProgrammingError("can't adapt type 'dict'")
        return TypeError("unhashable type: 'dict'")

    def unknown_method_error(self, model: Any, method: str) -> AttributeError:
        if not self.old_texts:
            return AttributeError(f"The method '{model}.{method}' does not exist")
        return AttributeError(f"type object '{model}' has no attribute '{method}'")

    def record_rule_error(
        self, user_name: str, uid: int, model: str, description: str, operation: str
    ) -> AccessError:
        """The AccessError when record rules hide some of the records operated on."""
        if self.old_texts:
            return AccessError(
                f"Due to security restrictions, you are not allowed to access '{description}' "
                f"({model}) records.\n\nContact your administrator to request access if "
                "necessary."
            )
        return AccessError(
            "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
            f"Sorry, {user_name} (id={uid}) doesn't have '{operation}' access to:\n"
            f"- {description} ({model})\n\n"
            "If you really, really need access, perhaps you can win over your friendly "
            "administrator with a batch of freshly baked cookies."
        )

    @property
    def old_texts(self) -> bool:
        """Odoo 16's wording of exception texts (as recorded; 19's is the other one)."""
        return self.major < 17

    def malformed_domain(self, domain: Any) -> Exception:
        if self.old_texts:
            return AssertionError(f"This domain is syntactically not correct: {domain!r}")
        return ValueError(f"Domain() malformed domain {domain!r}")

    def invalid_domain_item(self, item: Any) -> ValueError:
        if self.old_texts and isinstance(item, list | tuple):
            return ValueError(f"Invalid leaf {tuple(item)!r}")
        return ValueError(f"Domain() invalid item in domain: {item!r}")

    def invalid_operator(self, raw: tuple[Any, ...]) -> ValueError:
        if self.old_texts:
            return ValueError(f"Invalid leaf {raw!r}")
        return ValueError(f"Invalid operator in condition {raw!r}")

    def unknown_domain_field(self, path: str, raw: tuple[Any, ...]) -> ValueError:
        """``path`` is ``model.field``."""
        word = "leaf" if self.old_texts else "condition"
        return ValueError(f"Invalid field {path} in {word} {raw!r}")

    def unknown_field(self, model: str, fname: str, where: str) -> ValueError:
        """``where``: ``in`` (create), ``on model`` (write), ``on`` (read) as 19 words it."""
        if self.old_texts:
            where = "on model"
        return ValueError(f"Invalid field {fname!r} {where} {model!r}")

    def adapt_fields(self, model: str, fields: list[Field]) -> list[Field]:
        """``model``'s 19 field definitions as this version has them."""
        renamed = self.renamed_fields.get(model, {})
        dropped = self.dropped_fields.get(model, frozenset())
        adapted = []
        for fld in fields:
            if fld.name in dropped:
                continue
            changes: dict[str, Any] = {}
            if fld.name in renamed:
                changes["name"] = renamed[fld.name]
                if fld.recorded:
                    changes["recorded"] = {**fld.recorded, "name": renamed[fld.name]}
            extra = self.extra_selection.get((model, fld.name))
            if extra and fld.selection is not None:
                changes["selection"] = [*fld.selection, *([v, label] for v, label in extra)]
                if "selection" in fld.recorded:
                    changes["recorded"] = {
                        **changes.get("recorded", fld.recorded),
                        "selection": changes["selection"],
                    }
            adapted.append(replace(fld, **changes) if changes else fld)
        if self.name_get:
            adapted.append(LAST_UPDATE)
        return adapted

    def field_name(self, model: str, name: str) -> str:
        """This version's name of the 19 field ``model.name``."""
        return self.renamed_fields.get(model, {}).get(name, name)


ODOO_19 = Profile(
    major=19,
    server_version="19.0",
    rpc_error_code=0,
    has_json2=True,
    has_json_version=True,
    has_web_version=True,
    error_keys=("name", "message", "arguments", "context", "debug"),
    session_id_hex=False,
    cookie_on_call_kw=True,
    rotates_sessions=True,
    name_get=False,
    web_search_read_fields=False,
    sql_constraint_key_error=False,
    missing_methods=frozenset({"name_get"}),
)

ODOO_16 = Profile(
    major=16,
    server_version="16.0-20230301",
    rpc_error_code=200,
    has_json2=False,
    has_json_version=False,
    has_web_version=False,
    error_keys=("name", "debug", "message", "arguments", "context"),
    session_id_hex=True,
    cookie_on_call_kw=False,
    rotates_sessions=False,
    name_get=True,
    web_search_read_fields=True,
    sql_constraint_key_error=True,
    unique_login_text=(
        "The operation cannot be completed: You can not have two users with the same login !"
    ),
    missing_methods=frozenset(
        {"formatted_read_group", "web_read", "has_access", "get_available_models"}
    ),
    renamed_kwargs={("web_search_read", "fields"): "specification"},
    renamed_fields={
        "sale.order.line": {"product_uom_id": "product_uom", "tax_ids": "tax_id"},
        # renamed in Odoo 19 (16, 17 and 18 say groups_id)
        "ir.actions.report": {"group_ids": "groups_id"},
        "res.users": {"group_ids": "groups_id"},
    },
    dropped_fields={"res.users": frozenset({"all_group_ids"})},
    user_groups_implied=True,
    extra_selection={
        ("sale.order", "state"): [("done", "Locked")],
        ("res.partner", "type"): [("private", "Private Address")],
    },
)

PROFILES: dict[int, Profile] = {19: ODOO_19, 16: ODOO_16}

_current: ContextVar[Profile] = ContextVar("sandbox_profile", default=ODOO_19)


def by_version(version: int) -> Profile:
    """The profile of Odoo ``version``; ValueError naming the known ones."""
    try:
        return PROFILES[version]
    except KeyError:
        known = ", ".join(str(v) for v in sorted(PROFILES))
        raise ValueError(f"the sandbox speaks Odoo {known}, not {version}") from None


def current() -> Profile:
    """The profile of the sandbox answering the request being handled."""
    return _current.get()


@contextmanager
def use(profile: Profile) -> Iterator[None]:
    token = _current.set(profile)
    try:
        yield
    finally:
        _current.reset(token)
