"""What a request may write: the token's scopes and the write deny-list, applied to
every value that can reach Odoo — create/write values at any depth, ``default_*``
context keys and method arguments."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from .errors import FieldForbidden, ScopeDenied
from .scopes import Scopes
from .values import Guard
from .values.walk import Action

_DEFAULT = "default_"
_WRITE_COMMANDS = frozenset({0, 1, 2})


class WriteDenyList:
    """``field`` (any model) or ``model.field`` entries (``--write-deny-fields``)."""

    def __init__(self, entries: Iterable[str]) -> None:
        entries = tuple(entries)
        self._any = frozenset(e for e in entries if "." not in e)
        self._model = frozenset(tuple(e.rsplit(".", 1)) for e in entries if "." in e)
        self._names = self._any | {name for _model, name in self._model}

    def __bool__(self) -> bool:
        return bool(self._names)

    def check(self, model: str | None, field: str) -> None:
        """Refuse ``field`` of ``model``; with the model unknown, any entry of that name."""
        denied = field in self._any or (
            (model, field) in self._model if model is not None else field in self._names
        )
        if denied:
            where = model or "this model"
            raise FieldForbidden(f"field {field!r} of {where} may not be written here")

    def check_anywhere(self, field: str, where: str) -> None:
        """Refuse a denied field name wherever the gateway cannot tell its model."""
        if field in self._names:
            raise FieldForbidden(f"field {field!r} may not be written here ({where})")


def values_guard(scopes: Scopes, deny: WriteDenyList) -> Guard:
    """The guard the values walk calls for every record it acts on."""

    def guard(model: str | None, action: Action, fields: Collection[str], where: str) -> None:
        if model is None:
            if scopes.read_only or scopes.models is not None:
                raise ScopeDenied(f"{where}: the related model is unknown, so not in scope")
        else:
            scopes.check(model, write=True)
        if deny and action != "delete":
            for name in fields:
                deny.check(model, name)

    return guard


def check_context(context: Mapping[str, Any], deny: WriteDenyList) -> None:
    """``default_<field>`` keys set values on every record a call creates."""
    if not deny:
        return
    for key in context:
        if isinstance(key, str) and key.startswith(_DEFAULT):
            deny.check_anywhere(key[len(_DEFAULT) :], f"context key {key!r}")


def check_method_arguments(value: Any, scopes: Scopes, deny: WriteDenyList) -> None:
    """Arguments of a method call may carry record values (``copy(default=...)``,
    ``write``-like business methods): any dict key on the deny-list is refused, and
    a model-scoped token may not send x2many commands that create, update or delete
    records, since the gateway cannot tell which model they land in."""
    stack: list[Any] = [value]
    seen = 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > 100_000:  # arguments are size-capped when parsed; this is a backstop
            raise ScopeDenied("method arguments are too large to check")
        if isinstance(item, Mapping):
            for key, sub in item.items():
                if isinstance(key, str) and deny:
                    deny.check_anywhere(key.removeprefix("__api__"), "method arguments")
                    if key.startswith(_DEFAULT):
                        deny.check_anywhere(key[len(_DEFAULT) :], "method arguments")
                stack.append(sub)
        elif isinstance(item, (list, tuple)):
            if (
                scopes.models is not None
                and len(item) in (2, 3)
                and isinstance(item[0], int)
                and not isinstance(item[0], bool)
                and item[0] in _WRITE_COMMANDS
                and (item[0] == 2 or (len(item) == 3 and isinstance(item[2], Mapping)))
            ):
                raise ScopeDenied(
                    "a model-scoped token may not send x2many commands that create, update "
                    "or delete records in method arguments"
                )
            stack.extend(item)
