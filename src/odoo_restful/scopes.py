"""What a token may do, and the one algebra over it: check, meet, intersect.

Scopes are chosen when a token is issued and never widened afterwards. ``None``
allow-lists mean "anything Odoo allows". Every check that a request is inside a
token's scopes goes through :meth:`Scopes.check`, so the token route, the record
routes, nested values, method calls and the OpenAPI document agree.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from . import params
from .errors import BadRequest, ScopeDenied

Names = tuple[str, ...] | None

#: Methods known to read only: a read-only token may call these (on a model or on
#: records), and nothing else. The list is by name, whatever the model, so it holds
#: only ORM methods whose meaning Odoo fixes. ``onchange`` and ``default_get`` compute
#: values for a form without storing anything; ``copy``, ``name_create`` and every
#: business method (``action_*``, ``message_post``...) write, so they are not here.
READ_METHODS: frozenset[str] = frozenset(
    {
        "search",
        "search_count",
        "search_read",
        "read",
        "exists",
        "name_search",
        "fields_get",
        "default_get",
        "onchange",
        "web_search_read",
        "web_read",
        "read_group",
        "formatted_read_group",
        "web_read_group",
        "get_external_id",
        "check_object_reference",
        "has_access",
        "check_access_rights",
        "get_available_models",
        "display_name_for",
        "context_get",
    }
)


@dataclass(frozen=True, slots=True)
class Scopes:
    read_only: bool = False
    models: Names = None
    methods: Names = None

    @property
    def narrowed(self) -> bool:
        """True when the token is limited in any way (it may not act for its whole user)."""
        return self.read_only or self.models is not None or self.methods is not None

    def check(self, model: str, *, write: bool, method: str | None = None) -> None:
        """Refuse, before Odoo is called, what these scopes do not allow."""
        if write and self.read_only:
            raise ScopeDenied(f"this token is read-only (scope: read_only); {model} not changed")
        if self.models is not None and model not in self.models:
            raise ScopeDenied(f"this token's scope does not include model {model!r}")
        if method is not None and self.methods is not None and method not in self.methods:
            raise ScopeDenied(f"this token's scope does not include method {method!r}")

    def check_call(self, model: str, method: str) -> None:
        """A method call: a write unless ``method`` is known to read (READ_METHODS)."""
        self.check(model, write=method not in READ_METHODS, method=method)

    def meet(self, held: Scopes) -> Scopes:
        """These scopes limited to what ``held`` allows (a refresh never widens)."""
        return Scopes(
            read_only=self.read_only or held.read_only,
            models=intersect(self.models, held.models),
            methods=intersect(self.methods, held.methods),
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "read_only": self.read_only,
                "models": None if self.models is None else list(self.models),
                "methods": None if self.methods is None else list(self.methods),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Scopes:
        data = json.loads(text)
        models, methods = data.get("models"), data.get("methods")
        return cls(
            read_only=bool(data.get("read_only", False)),
            models=None if models is None else tuple(models),
            methods=None if methods is None else tuple(methods),
        )


def intersect(*lists: Collection[str] | None) -> Names:
    """Names allowed by every list (``None`` allows all); order of the first list kept."""
    result: Names = None
    for names in lists:
        if names is None:
            continue
        ordered = tuple(names) if not isinstance(names, (set, frozenset)) else tuple(sorted(names))
        result = ordered if result is None else tuple(n for n in result if n in names)
    return result


def _method(name: str) -> None:
    params.check_method_name(name, deny=(), allow=None)


def parse_scopes(values: dict[str, Any]) -> Scopes:
    """Scopes asked for at issue time: ``read_only``, ``models`` and ``methods``."""
    read_only = values.get("read_only", False)
    if isinstance(read_only, str):
        if read_only.lower() not in ("", "0", "1", "true", "false", "yes", "no"):
            raise BadRequest("'read_only' must be true or false")
        read_only = read_only.lower() in ("1", "true", "yes")
    if not isinstance(read_only, bool):
        raise BadRequest("'read_only' must be true or false")
    return Scopes(
        read_only=read_only,
        models=params.parse_names(
            values.get("models"), what="models", check=params.parse_model_name
        ),
        methods=params.parse_names(values.get("methods"), what="methods", check=_method),
    )
