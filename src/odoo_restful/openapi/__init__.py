"""The OpenAPI 3.1 document of the REST API, built from Odoo's ``fields_get``.

:func:`build_document` is pure: field metadata in, a JSON-ready ``dict`` out.
:func:`build_index` lists every model a user can read, with the routes in generic
form; :func:`collect_models` asks Odoo, as the calling user, for the metadata of
named models; :class:`OpenApiService` lists the readable models and keeps finished
documents for a while, per database, user, language and token scopes.

Schemas follow what Odoo really sends: ``false`` for most empty values (so every
non-boolean field is ``anyOf [<type>, {"const": false}]``), many2one as
``[id, "name"]``, x2many as lists of ids, datetimes as ``"YYYY-MM-DD HH:MM:SS"``
(UTC, not RFC 3339: a ``pattern`` says so rather than ``format: date-time``).
Create and write bodies accept every x2many form that ``values.py`` translates.

The pieces live in submodules (``common``, ``records``, ``bodies``, ``components``,
``responses``, ``parameters``, ``names``, ``model_paths``, ``gateway_paths``,
``document``, ``collect``, ``cache``, ``service``); import them from here, not from there.
"""

from __future__ import annotations

from .bodies import values_schema
from .cache import DocumentCache, TtlCache
from .collect import FIELD_ATTRIBUTES, collect_models, generate, parse_models
from .collect import MAX_MODELS as MAX_MODELS
from .common import DEFAULT_MODELS, FALLBACK_MODELS, DocumentOptions, FieldsInfo
from .document import MODEL_DOCUMENT as MODEL_DOCUMENT
from .document import OPENAPI_VERSION as OPENAPI_VERSION
from .document import build_document, build_index, build_start_document
from .names import component_names as component_names
from .records import record_schema
from .service import OpenApiService

__all__ = [
    "DEFAULT_MODELS",
    "FALLBACK_MODELS",
    "FIELD_ATTRIBUTES",
    "DocumentCache",
    "DocumentOptions",
    "FieldsInfo",
    "OpenApiService",
    "TtlCache",
    "build_document",
    "build_index",
    "build_start_document",
    "collect_models",
    "generate",
    "parse_models",
    "record_schema",
    "values_schema",
]
