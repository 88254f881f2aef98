"""The OpenAPI 3.1 document of the REST API, built from Odoo's ``fields_get``.

:func:`build_document` is pure: field metadata in, a JSON-ready ``dict`` out.
:func:`collect_models` asks Odoo, as the calling user, for the metadata of the
models that user can read; :class:`DocumentCache` keeps finished documents for a
while, per database, user, language and model list.

Schemas follow what Odoo really sends: ``false`` for most empty values (so every
non-boolean field is ``anyOf [<type>, {"const": false}]``), many2one as
``[id, "name"]``, x2many as lists of ids, datetimes as ``"YYYY-MM-DD HH:MM:SS"``
(UTC, not RFC 3339: a ``pattern`` says so rather than ``format: date-time``).
Create and write bodies accept every x2many form that ``values.py`` translates.

The pieces live in submodules (``common``, ``records``, ``bodies``, ``components``,
``responses``, ``parameters``, ``names``, ``model_paths``, ``gateway_paths``,
``document``, ``collect``, ``cache``); import them from here, not from there.
"""

from __future__ import annotations

from .bodies import values_schema
from .cache import DocumentCache
from .collect import FIELD_ATTRIBUTES, collect_models, generate, parse_models
from .collect import MAX_MODELS as MAX_MODELS
from .common import DEFAULT_MODELS, DocumentOptions, FieldsGet
from .document import OPENAPI_VERSION as OPENAPI_VERSION
from .document import build_document
from .names import component_names as component_names
from .records import record_schema

__all__ = [
    "DEFAULT_MODELS",
    "FIELD_ATTRIBUTES",
    "DocumentCache",
    "DocumentOptions",
    "FieldsGet",
    "build_document",
    "collect_models",
    "generate",
    "parse_models",
    "record_schema",
    "values_schema",
]
