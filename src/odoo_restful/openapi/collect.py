"""Asking Odoo, as the user, which models to describe and their fields; ``generate``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from .. import params
from ..errors import (
    AccessError,
    BadRequest,
    Forbidden,
    InvalidParameters,
    OdooError,
    UnknownModel,
)
from ..odoo.base import Credential, OdooClient
from ..odoo.router import OdooRouter
from .common import DEFAULT_MODELS, DocumentOptions, FieldsInfo
from .document import build_document

#: What ``collect_models`` asks ``fields_get`` for.
FIELD_ATTRIBUTES: Final = (
    "type",
    "depends",
    "string",
    "help",
    "required",
    "readonly",
    "relation",
    "selection",
)
MAX_MODELS: Final = 100


def parse_models(value: Any) -> tuple[str, ...] | None:
    """The ``models`` parameter: comma-separated names or a JSON list; None when absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        text = value.strip()
        items: Any = (
            params.parse_literal(text, what="models") if text[0] in "[(" else text.split(",")
        )
    else:
        items = value
    if not isinstance(items, (list, tuple)):
        raise BadRequest("models must be a comma-separated list of model names")
    names: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise BadRequest("models must be a comma-separated list of model names")
        name = item.strip()
        if name:
            names[params.parse_model_name(name)] = None
    if len(names) > MAX_MODELS:
        raise BadRequest(f"models: at most {MAX_MODELS} models per document")
    return tuple(names) or None


async def _describe(
    odoo: OdooClient, cred: Credential, model: str, context: Mapping[str, Any]
) -> FieldsInfo | None:
    """``fields_get`` as the user, or None when the model is unknown or not readable.

    ``fields_get`` alone does not check read access in Odoo, so a one-row
    ``search_read`` (what ``GET /api/<model>`` runs) proves the user may read.
    Required fields that Odoo fills itself (a default, or a computed field) are
    marked ``has_default`` so that create bodies need not send them.
    """
    ctx = dict(context)
    try:
        info, _ = await asyncio.gather(
            odoo.call(
                cred,
                model,
                "fields_get",
                [],
                {"attributes": list(FIELD_ATTRIBUTES), "context": ctx},
            ),
            odoo.call_raw(
                cred, model, "search_read", [[]], {"fields": ["id"], "limit": 1, "context": ctx}
            ),
        )
    except (AccessError, UnknownModel, Forbidden):
        return None
    except InvalidParameters as exc:
        if exc.odoo_name == "builtins.KeyError":  # an unknown model, over /web/dataset/call_kw
            return None
        raise
    if not isinstance(info, dict):
        return None
    fields = {name: dict(meta) for name, meta in info.items() if isinstance(meta, dict)}
    required = [
        name
        for name, meta in fields.items()
        if meta.get("required") and not meta.get("readonly") and not meta.get("depends")
    ]
    if required:
        try:
            defaults = await odoo.call(cred, model, "default_get", [required], {"context": ctx})
        except OdooError:
            defaults = {}
        if isinstance(defaults, dict):
            for name, value in defaults.items():
                if name in fields and value is not None and value is not False:
                    fields[name]["has_default"] = True
    return fields


async def collect_models(
    odoo: OdooClient,
    cred: Credential,
    models: Iterable[str],
    *,
    context: Mapping[str, Any] | None = None,
) -> tuple[dict[str, FieldsInfo], list[str]]:
    """The field metadata of each model the user can read, and the names left out."""
    names = list(dict.fromkeys(models))
    results = await asyncio.gather(
        *(_describe(odoo, cred, model, context or {}) for model in names)
    )
    found: dict[str, FieldsInfo] = {}
    missing: list[str] = []
    for model, info in zip(names, results, strict=True):
        if info is None:
            missing.append(model)
        else:
            found[model] = info
    return found, missing


async def generate(
    odoo: OdooRouter,
    *,
    db: str,
    login: str,
    secret: str,
    models: Sequence[str] | None = None,
    server_url: str | None = None,
    options: DocumentOptions | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Sign in as ``login`` and build the document for the models it can read.

    For ``odoo-restful openapi``; returns the document and the models left out.
    """
    cred = await odoo.sign_in(db, login, secret)
    wanted = list(models or DEFAULT_MODELS)
    found, missing = await collect_models(odoo, cred, wanted)
    opts = options or DocumentOptions()
    opts = replace(opts, unavailable=[*opts.unavailable, *missing])
    return build_document(found, server_url=server_url, options=opts), missing
