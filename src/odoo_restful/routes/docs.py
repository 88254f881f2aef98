"""``/api/openapi.json``: the API described for the caller; ``/api/docs``: an explorer.

The documents need a token: they list only the models the token's user can read
(and that the token's scopes allow); :class:`~odoo_restful.openapi.OpenApiService`
builds and caches them. ``/api/docs/openapi.json`` holds the one thing that needs
no token, signing in, so the explorer works from the first click. The explorer is
Swagger UI, served with its assets from this gateway (nothing loads from another
host) under a strict Content-Security-Policy of its own.
"""

from __future__ import annotations

import gzip
import hashlib
import html
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from .. import __version__, params
from ..errors import RouteNotFound
from ..openapi import MODEL_DOCUMENT, parse_models
from .common import gateway, identify, request_params

DOCS_CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)

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
<div id="odoo-restful-docs" data-spec-url="{spec}" data-start-url="{start}" \
data-model-url="{model}">
<span class="title">odoo-restful {version} API explorer</span>
<label class="model-picker" hidden>Model <select id="odoo-restful-model"></select></label>
</div>
<div id="swagger-ui"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
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
