"""``/api/openapi.json``: the API described for the caller; ``/api/docs``: an explorer.

The document needs a token: ``fields_get`` runs as the token's user, so it lists
only the models that user can read (and that the token's scopes allow). The
explorer is Swagger UI, served with its assets from this gateway (nothing loads
from another host) under a strict Content-Security-Policy of its own.
"""

from __future__ import annotations

import gzip
import hashlib
import html
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from .. import __version__
from ..errors import RouteNotFound
from ..openapi import (
    DEFAULT_MODELS,
    DocumentCache,
    DocumentOptions,
    build_document,
    collect_models,
    parse_models,
)
from ..scopes import intersect
from .common import gateway, identify, request_params

DOCS_CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
DOCUMENT_TTL: Final = 300.0

_STATIC: Final = {
    "swagger-ui-bundle.js": ("swagger-ui/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-ui.css": ("swagger-ui/swagger-ui.css", "text/css; charset=utf-8"),
    "favicon-32x32.png": ("swagger-ui/favicon-32x32.png", "image/png"),
    "favicon-16x16.png": ("swagger-ui/favicon-16x16.png", "image/png"),
    "LICENSE.txt": ("swagger-ui/LICENSE", "text/plain; charset=utf-8"),
    "docs.js": ("docs.js", "text/javascript; charset=utf-8"),
    "docs.css": ("docs.css", "text/css; charset=utf-8"),
}

_PAGE: Final = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>odoo-restful API explorer</title>
<link rel="icon" type="image/png" href="{static}/favicon-32x32.png">
<link rel="stylesheet" href="{static}/swagger-ui.css">
<link rel="stylesheet" href="{static}/docs.css">
</head>
<body>
<div id="odoo-restful-docs" data-spec-url="{spec}">odoo-restful {version} API explorer</div>
<div id="swagger-ui"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script src="{static}/docs.js"></script>
</body>
</html>
"""


def _cache(request: Request) -> DocumentCache:
    app: Starlette = request.app
    found: DocumentCache | None = getattr(app.state, "openapi_cache", None)
    if found is None:
        found = DocumentCache(ttl=DOCUMENT_TTL)
        app.state.openapi_cache = found
    return found


async def openapi_json(request: Request) -> Response:
    """The OpenAPI 3.1 document for the models the caller can read."""
    ident = await identify(request)
    gw = gateway(request)
    asked = parse_models((await request_params(request)).values.get("models"))
    wanted = asked or DEFAULT_MODELS
    scopes = ident.scopes
    allowed = [m for m in wanted if scopes.models is None or m in scopes.models]
    out_of_scope = [m for m in wanted if m not in allowed]
    methods = intersect(gw.method_allow, scopes.methods)
    cred = ident.cred
    key = (
        cred.db,
        cred.uid,
        str(ident.context.get("lang", "")),
        tuple(wanted),
        scopes.read_only,
        scopes.models,
        methods,
    )
    documents = _cache(request)
    body = documents.get(key)
    if body is None:
        async with documents.lock(key):
            body = documents.get(key)
            if body is None:
                found, missing = await collect_models(gw.odoo, cred, allowed, context=ident.context)
                settings = gw.settings
                options = DocumentOptions(
                    default_limit=settings.default_limit,
                    max_limit=settings.max_limit,
                    max_batch=settings.max_batch,
                    read_only=scopes.read_only,
                    methods=methods,
                    unavailable=[m for m in wanted if m in missing or m in out_of_scope],
                )
                body = orjson.dumps(build_document(found, options=options))
                documents.put(key, body)
    return Response(body, media_type="application/json")


async def docs_page(request: Request) -> Response:
    """The API explorer (Swagger UI); it asks for a token before loading the document."""
    prefix = str(request.scope.get("root_path", "")).rstrip("/")
    page = _PAGE.format(
        static=html.escape(f"{prefix}/api/docs/static", quote=True),
        spec=html.escape(f"{prefix}/api/openapi.json", quote=True),
        version=html.escape(__version__),
    )
    return Response(
        page,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": DOCS_CSP, "Cache-Control": "no-cache"},
    )


@dataclass(frozen=True, slots=True)
class _Asset:
    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str


@cache
def _asset(name: str) -> _Asset:
    path, media_type = _STATIC[name]
    body = resources.files("odoo_restful").joinpath("static", path).read_bytes()
    compressible = not media_type.startswith("image/") and len(body) > 1024
    gzipped = gzip.compress(body, compresslevel=9, mtime=0) if compressible else None
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return _Asset(body, gzipped, media_type, etag)


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, q = part.strip().partition(";")
        if coding.strip().lower() == "gzip":
            return q.strip().replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


async def docs_static(request: Request) -> Response:
    """The explorer's assets, from the package; only the listed files exist."""
    name = request.path_params["name"]
    if name not in _STATIC:
        raise RouteNotFound(f"no route for {request.url.path}")
    asset = _asset(name)
    headers: dict[str, Any] = {
        "Cache-Control": "public, max-age=3600",
        "ETag": asset.etag,
        "Vary": "Accept-Encoding",
        "Content-Security-Policy": DOCS_CSP,
    }
    if asset.etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    body = asset.body
    if asset.gzipped is not None and _accepts_gzip(request):
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=asset.media_type, headers=headers)
