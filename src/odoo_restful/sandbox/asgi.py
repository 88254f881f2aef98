"""A plain ASGI application serving a sandbox's routes over HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.types import Receive, Scope, Send

if TYPE_CHECKING:
    from .app import Sandbox


class SandboxASGI:
    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        headers: dict[str, str] = {}
        for raw_key, raw_value in scope["headers"]:
            key, value = raw_key.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[key] = (
                f"{headers[key]}; {value}" if key == "cookie" and key in headers else value
            )
        path = scope["path"]
        query = scope.get("query_string", b"")
        if query:
            path = f"{path}?{query.decode('latin-1')}"
        status, reply_headers, body = self._sandbox.handle(
            scope["method"], path, headers, b"".join(chunks)
        )
        raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in reply_headers.items()]
        raw_headers.append((b"content-length", str(len(body)).encode("ascii")))
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send(
            {"type": "http.response.body", "body": body if scope["method"] != "HEAD" else b""}
        )
