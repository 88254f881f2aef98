"""A Starlette router that tries only the routes a path's shape can match.

Starlette's router tries every route's regular expression in order. With about thirty
routes, ``GET /api/res.partner`` (the hottest request) passed twenty-seven before its
own: a seventh of the gateway's CPU per search. A route without a ``path`` convertor
matches only paths with as many ``/`` as its template, so the candidates are the
routes of that count (and the few that can span segments, such as mounts), still in
declaration order: which route wins, and the 405 of a partial match, are unchanged.
Trailing-slash redirects are not offered (the gateway never redirects).

Each handler is called through :class:`_Handler` rather than Starlette's
``request_response``, which wraps every request in a second exception-handling layer
with its own ``send`` wrapper: the application's ``ExceptionMiddleware`` already
turns a handler's exception into its response, and the response cannot have started
when a handler raises (handlers return their response, they do not send it).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.convertors import PathConvertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send

__all__ = ["IndexedRouter"]


def _slashes(route: BaseRoute) -> int | None:
    """How many ``/`` a path this route matches has; None when it may vary."""
    if not isinstance(route, Route):
        return None
    if any(isinstance(c, PathConvertor) for c in route.param_convertors.values()):
        return None
    return route.path.count("/")


def _route_path(scope: Scope) -> str:
    """The path below the mount point (``root_path``), as routes see it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if not root or not path.startswith(root):
        return path
    if path == root:
        return ""
    return path[len(root) :] if path[len(root)] == "/" else path


class _Handler:
    """An ``async def handler(request) -> Response`` as an ASGI app, with no wrapper."""

    __slots__ = ("_func",)

    def __init__(self, func: Callable[[Request], Awaitable[Response]]) -> None:
        self._func = func

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._func(Request(scope, receive, send))
        await response(scope, receive, send)


class IndexedRouter(Router):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["redirect_slashes"] = False
        super().__init__(*args, **kwargs)
        self._by_slashes: dict[int, list[BaseRoute]] = {}
        for route in self.routes:
            if isinstance(route, Route) and inspect.iscoroutinefunction(route.endpoint):
                route.app = _Handler(route.endpoint)

    def _candidates(self, slashes: int) -> list[BaseRoute]:
        found = self._by_slashes.get(slashes)
        if found is None:
            found = [r for r in self.routes if _slashes(r) in (slashes, None)]
            if len(self._by_slashes) < 64:  # path shapes are few; a flood of odd ones is not kept
                self._by_slashes[slashes] = found
        return found

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if "router" not in scope:
            scope["router"] = self
        if scope["type"] == "lifespan":
            await self.lifespan(scope, receive, send)
            return
        partial: tuple[BaseRoute, Scope] | None = None
        for route in self._candidates(_route_path(scope).count("/")):
            match, child = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial = (route, child)
        if partial is not None:  # the path is known, the method is not: a 405
            scope["route"] = partial[0]
            scope.update(partial[1])
            await partial[0].handle(scope, receive, send)
            return
        await self.default(scope, receive, send)
