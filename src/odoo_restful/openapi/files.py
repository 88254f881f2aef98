"""The file routes in the document: binary fields, attachments, reports (issue #17).

Each binary field of a model gets its own path (``/api/<model>/{id}/<field>``): a
concrete segment, so it never clashes with the method-call template.
"""

from __future__ import annotations

from typing import Any, Final

from ..files.content import typed_by_odoo
from .common import DocumentOptions, FieldsInfo
from .parameters import XMLID_PATTERN, ref_param
from .responses import json_ok, responses

#: one record in a report's ids: an id or an external id
_REF: Final = "(?:[0-9]+|" + XMLID_PATTERN.strip("^$") + ")"
_FILE_ERRORS: Final = ("400", "401", "403", "404", "413", "422", "429", "502", "503", "504")
_OCTET: Final = "application/octet-stream"
_BINARY: Final = {"type": "string", "format": "binary"}
_ETAG: Final = {
    "ETag": {"description": "SHA-1 of the bytes, quoted.", "schema": {"type": "string"}},
    "Content-Disposition": {
        "description": "`inline` (or `attachment` with `download=true`) and the file name.",
        "schema": {"type": "string"},
    },
}
_DOWNLOAD_PARAMS: Final = [
    {
        "name": "download",
        "in": "query",
        "description": "`true`: `Content-Disposition: attachment` (save, not show).",
        "schema": {"type": "boolean"},
    },
    {
        "name": "If-None-Match",
        "in": "header",
        "description": "The ETag held: 304 when the file did not change.",
        "schema": {"type": "string"},
    },
]
_ATTACHMENT: Final = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "type": {"enum": ["binary", "url"], "description": "`url`: a link, no bytes."},
        "url": {"type": ["string", "boolean"]},
        "mimetype": {"type": ["string", "boolean"]},
        "file_size": {"type": "integer"},
        "checksum": {"type": ["string", "boolean"], "description": "SHA-1 of the content."},
        "create_date": {"type": "string"},
    },
}
_REPORT: Final = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "report_name": {"type": "string"},
        "report_type": {"type": "string"},
        "model": {"type": "string"},
    },
}
_MULTIPART: Final = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "properties": {"files": {"type": "array", "items": _BINARY}},
        }
    }
}


def _file_ok(description: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "headers": _ETAG,
            # (any type is sent; one binary media type keeps client generators happy)
            "content": {_OCTET: {"schema": _BINARY}},
        },
        "304": {"description": "Not modified (the ETag matched)."},
    }


def file_paths(model: str, fields: FieldsInfo, options: DocumentOptions) -> dict[str, Any]:
    """Per model: its binary fields as files, its attachments and its reports."""
    tag = [model]
    slug = model.replace(".", "_")
    paths: dict[str, Any] = {}
    for fname, meta in sorted(fields.items()):
        if not isinstance(meta, dict) or meta.get("type") != "binary":
            continue
        item: dict[str, Any] = {
            "parameters": [ref_param("id")],
            "get": {
                "tags": tag,
                "operationId": f"download_{slug}_{fname}",
                "summary": f"The file in {model}.{fname} (type: "
                + ("the attachment's mimetype" if typed_by_odoo(model, fname) else "from its bytes")
                + ")",
                "parameters": _DOWNLOAD_PARAMS,
                "responses": {**_file_ok("The raw bytes."), **responses(_FILE_ERRORS)},
            },
        }
        if not options.read_only:
            item["put"] = {
                "tags": tag,
                "operationId": f"upload_{slug}_{fname}",
                "summary": f"Store a file in {model}.{fname} (raw body, or multipart with one "
                "file; up to --max-file-bytes)",
                "requestBody": {
                    "required": True,
                    "content": {
                        _OCTET: {"schema": _BINARY},
                        **_MULTIPART,
                    },
                },
                "responses": {
                    "200": json_ok("Stored: id, field, file_size, checksum.", {"type": "object"}),
                    **responses(_FILE_ERRORS),
                },
            }
        paths[f"/api/{model}/{{id}}/{fname}"] = item
    listing: dict[str, Any] = {
        "parameters": [ref_param("id")],
        "get": {
            "tags": tag,
            "operationId": f"list_attachments_{slug}",
            "summary": f"The attachments of a {model} record",
            "responses": {
                "200": json_ok("Attachments.", _envelope_inline(_ATTACHMENT)),
                **responses(_FILE_ERRORS),
            },
        },
    }
    one: dict[str, Any] = {
        "parameters": [
            ref_param("id"),
            {"name": "att", "in": "path", "required": True, "schema": {"type": "integer"}},
        ],
        "get": {
            "tags": tag,
            "operationId": f"download_attachment_{slug}",
            "summary": f"Download one attachment of a {model} record",
            "parameters": _DOWNLOAD_PARAMS,
            "responses": {**_file_ok("The attachment's bytes."), **responses(_FILE_ERRORS)},
        },
    }
    if not options.read_only:
        listing["post"] = {
            "tags": tag,
            "operationId": f"add_attachments_{slug}",
            "summary": f"Attach files to a {model} record (multipart, several at once)",
            "parameters": [ref_param("idempotencyKey")],
            "requestBody": {"required": True, "content": _MULTIPART},
            "responses": {
                "201": json_ok("The new attachments.", _envelope_inline(_ATTACHMENT)),
                **responses((*_FILE_ERRORS, "409")),
            },
        }
        one["delete"] = {
            "tags": tag,
            "operationId": f"delete_attachment_{slug}",
            "summary": f"Delete one attachment of a {model} record",
            "responses": {
                "200": json_ok("Deleted.", {"type": "object"}),
                **responses(_FILE_ERRORS),
            },
        }
    paths[f"/api/{model}/{{id}}/attachments"] = listing
    paths[f"/api/{model}/{{id}}/attachments/{{att}}"] = one
    paths[f"/api/{model}/reports"] = {
        "get": {
            "tags": tag,
            "operationId": f"list_reports_{slug}",
            "summary": f"The reports this user may print for {model}",
            "description": "Reports restricted to groups (the report's Groups) are "
            "listed only to a member of one of them, as in Odoo's Print menu; printing "
            "one is a 403 for anyone else.",
            "responses": {
                "200": json_ok("Report actions.", _envelope_inline(_REPORT)),
                **responses(_FILE_ERRORS),
            },
        }
    }
    return paths


def _envelope_inline(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "data": {"type": "array", "items": item},
        },
        "required": ["count", "data"],
    }


def report_paths() -> dict[str, Any]:
    return {
        "/api/report/{report_name}/{ids}": {
            "get": {
                "tags": ["reports"],
                "operationId": "render_report",
                "summary": "A report rendered by Odoo for the token's user (PDF, or HTML); "
                "needs a token made with a password (Odoo's web sign-in), not an API key",
                "description": "A report restricted to groups (the report's Groups) the "
                "user is in none of is a 403 `access_error`, though Odoo's own route "
                "would render it: the API follows Odoo's Print menu.",
                "parameters": [
                    {
                        "name": "report_name",
                        "in": "path",
                        "required": True,
                        "schema": {
                            "type": "string",
                            "pattern": r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+$",
                        },
                    },
                    {
                        "name": "ids",
                        "in": "path",
                        "required": True,
                        "description": "The records, comma-separated: ids or external ids "
                        "(`module.name`, e.g. `sale.sale_order_1`) resolved as the user; an "
                        "unknown external id is a 404, one of another model than the "
                        "report's a 422.",
                        "schema": {
                            "type": "string",
                            "pattern": f"^{_REF}(,{_REF})*$",
                            "example": "sale.sale_order_1,7",
                        },
                    },
                    {
                        "name": "format",
                        "in": "query",
                        "schema": {"enum": ["pdf", "html"], "default": "pdf"},
                    },
                    _DOWNLOAD_PARAMS[0],
                ],
                "responses": {
                    "200": {
                        "description": "The rendering.",
                        "content": {
                            "application/pdf": {"schema": _BINARY},
                            "text/html": {"schema": {"type": "string"}},
                        },
                    },
                    **responses(_FILE_ERRORS),
                },
            }
        }
    }
