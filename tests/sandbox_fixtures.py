"""The sandbox-level fixtures shared by the ``test_sandbox_*`` modules (one home).

``sandbox`` is a fresh in-memory Odoo per test; a module that needs a fixed clock sets
a module-level ``NOW`` (naive UTC ``datetime``). The ``sb_*`` clients call
``execute_kw`` as one seeded user; they are named apart from conftest's ``admin``, the
end-to-end suite's gateway session.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from odoo_restful.sandbox import Sandbox


class OdooFault(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class Client:
    """``execute_kw`` as one user; raises :class:`OdooFault` for an error reply."""

    def __init__(self, sandbox: Sandbox, uid: int = 2, password: str = "admin") -> None:
        self.sandbox = sandbox
        self.uid = uid
        self.password = password

    def __call__(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        params = ["sandbox", self.uid, self.password, model, method, list(args), kwargs]
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"service": "object", "method": "execute_kw", "args": params},
        }
        status, _headers, raw = self.sandbox.handle(
            "POST", "/jsonrpc", {}, json.dumps(body).encode()
        )
        assert status == 200
        reply = json.loads(raw)
        if "error" in reply:
            data = reply["error"]["data"]
            raise OdooFault(data["name"], data["message"])
        return reply.get("result")  # Odoo leaves "result" out for None

    def fault(self, model: str, method: str, *args: Any, **kwargs: Any) -> OdooFault:
        with pytest.raises(OdooFault) as info:
            self(model, method, *args, **kwargs)
        return info.value


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Sandbox:
    now: datetime | None = getattr(request.module, "NOW", None)
    return Sandbox(now=None if now is None else lambda: now)


@pytest.fixture
def sb_admin(sandbox: Sandbox) -> Client:
    return Client(sandbox, 2, "admin")


@pytest.fixture
def sb_demo(sandbox: Sandbox) -> Client:
    return Client(sandbox, 5, "demo")


@pytest.fixture
def sb_nosales(sandbox: Sandbox) -> Client:
    return Client(sandbox, 7, "nosales")


@pytest.fixture
def sb_portal(sandbox: Sandbox) -> Client:
    return Client(sandbox, 6, "portal")
