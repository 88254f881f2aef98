"""Markers for the model methods that can be called over RPC.

A method is public when it carries one of these markers (and its name has no
leading underscore). ``model`` methods ignore the record ids (Odoo's
``@api.model``); ``records`` methods act on the ids given as first argument;
``model_create`` is ``create`` (a dict gives one id, a list gives a list).
``private`` methods (Odoo's ``@api.private``) have a public name but cannot be
called remotely.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
Kind = Literal["model", "records", "create"]
PRIVATE = "private"
ATTRIBUTE = "_sandbox_rpc"


def _mark(kind: Kind) -> Callable[[F], F]:
    def decorate(fn: F) -> F:
        setattr(fn, ATTRIBUTE, kind)
        return fn

    return decorate


model = _mark("model")
records = _mark("records")
model_create = _mark("create")


def private(fn: F) -> F:
    setattr(fn, ATTRIBUTE, PRIVATE)
    return fn


def is_private(method: object) -> bool:
    return getattr(method, ATTRIBUTE, None) == PRIVATE


def kind_of(method: object) -> Kind | None:
    kind = getattr(method, ATTRIBUTE, None)
    return kind if kind in ("model", "records", "create") else None
