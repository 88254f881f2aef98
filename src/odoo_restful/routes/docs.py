"""``/api/openapi.json``: the API described for the caller; ``/api/docs``: an explorer.

The documents need a token: they list only the models the token's user can read
(and that the token's scopes allow); :class:`~odoo_restful.openapi.OpenApiService`
builds and caches them. ``/api/docs/openapi.json`` holds the one thing that needs
no token, signing in, so the explorer works from the first click. The explorer is
Swagger UI, served with its assets from this gateway (nothing loads from another
host) under a strict Content-Security-Policy of its own.
"""

from __future__ import annotations

import html
import os
from os import PathLike
from typing import Final

from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Scope

from .. import __version__, params
from ..openapi import MODEL_DOCUMENT, parse_models
from .common import gateway, identify, request_params

DOCS_CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)

_PAGE: Final = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>odoo-restful API explorer</title>
<link rel="icon" type="image/png" href="{static}/swagger-ui/favicon-32x32.png">
<link rel="stylesheet" href="{static}/swagger-ui/swagger-ui.css">
<link rel="stylesheet" href="{static}/docs.css">
</head>
<body>
<div id="odoo-restful-docs" data-spec-url="{spec}" data-start-url="{start}" \
data-model-url="{model}">
<span class="title">odoo-restful {version} API explorer</span>
<label class="model-picker" hidden>Model <select id="odoo-restful-model"></select></label>
</div>
<div id="swagger-ui"></div>
<script src="{static}/swagger-ui/swagger-ui-bundle.js"></script>
<script src="{static}/docs.js"></script>
</body>
</html>
"""

_JSON: Final = "application/json"


async def openapi_json(request: Request) -> Response:
    """Every model the caller can read (the index), or the ``models`` named, in full."""
    ident = await identify(request)
    service = gateway(request).openapi
    asked = parse_models((await request_params(request)).values.get("models"))
    body = await (service.index(ident) if asked is None else service.models(ident, asked))
    return Response(body, media_type=_JSON)


async def openapi_model(request: Request) -> Response:
    """One model in full; 404 when it does not exist or the caller cannot read it."""
    ident = await identify(request)
    model = params.parse_model_name(request.path_params["model"])
    return Response(await gateway(request).openapi.model(ident, model), media_type=_JSON)


async def start_json(request: Request) -> Response:
    """The explorer's first document: the token route, which needs no token."""
    return Response(gateway(request).openapi.start(), media_type=_JSON)


async def docs_page(request: Request) -> Response:
    """The API explorer (Swagger UI); it asks for a token before loading the document."""
    prefix = str(request.scope.get("root_path", "")).rstrip("/")
    page = _PAGE.format(
        static=html.escape(f"{prefix}/api/docs/static", quote=True),
        spec=html.escape(f"{prefix}/api/openapi.json", quote=True),
        start=html.escape(f"{prefix}/api/docs/openapi.json", quote=True),
        model=html.escape(prefix + MODEL_DOCUMENT, quote=True),
        version=html.escape(__version__),
    )
    return Response(
        page,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": DOCS_CSP, "Cache-Control": "no-cache"},
    )


class _Assets(StaticFiles):
    """The explorer's files from the package (Starlette's ETag, 304 and ranges), with
    the page's CSP and an hour of browser caching."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):  # Starlette's own 405 has no Allow
            raise HTTPException(405, headers={"Allow": "GET, HEAD"})
        return await super().get_response(path, scope)

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Content-Security-Policy"] = DOCS_CSP
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response


def static_assets() -> ASGIApp:
    """``/api/docs/static``: the vendored Swagger UI and docs.js/docs.css, gzipped when
    the client accepts it (Starlette's GZipMiddleware; the bundle is 1.7 MB)."""
    return GZipMiddleware(
        _Assets(packages=[("odoo_restful", "static")]), minimum_size=1024, compresslevel=6
    )
