"""Client generators take the served documents as they are.

* ``openapi-python-client`` (PyPI, the ``test`` extra) generates a Python client from
  the sandbox's document; the test then uses that client for a token, list, read,
  create, write, delete and a method call, each answer parsed into its typed models.
* ``openapi-typescript`` (npm, pinned in ``tests/clients/package.json``, installed
  here with ``npm ci``) turns the index and a model's document into TypeScript types,
  checked with ``tsc --strict``. Node.js and npm are needed (``apt-get install -y
  nodejs npm``): without them this test fails and says so.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.sandbox import Sandbox

from .conftest import gateway_settings
from .servers import serve_in_thread

CLIENTS = Path(__file__).parent / "clients"
MODELS = "res.partner,res.partner.category"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("clients")
    with serve_in_thread(Sandbox().asgi) as odoo_url:
        settings = gateway_settings(tmp, odoo_url=odoo_url, db="sandbox", protocol="jsonrpc")
        with serve_in_thread(create_app(settings)) as url:
            yield url


@pytest.fixture(scope="module")
def token(gateway: str) -> str:
    resp = requests.post(
        gateway + "/api/auth/token", json={"login": "admin", "password": "admin"}, timeout=30
    )
    assert resp.status_code == 200, resp.text
    value: str = resp.json()["access_token"]
    return value


def document(gateway: str, token: str, path: str, tmp: Path, name: str) -> Path:
    resp = requests.get(gateway + path, headers={"access-token": token}, timeout=60)
    assert resp.status_code == 200, resp.text
    out = tmp / name
    out.write_bytes(resp.content)
    return out


def run(args: list[str], cwd: Path, timeout: int = 600) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{output}"
    return output


# --- Python ------------------------------------------------------------------------------


def test_python_client_generated_as_is_works(gateway: str, token: str, tmp_path: Path) -> None:
    spec = document(gateway, token, f"/api/openapi.json?models={MODELS}", tmp_path, "api.json")
    config = tmp_path / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run: only the generator speaks
    generator = Path(sys.executable).with_name("openapi-python-client")
    output = run(
        [
            str(generator),
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(tmp_path / "odoo_client"),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        tmp_path,
    )
    assert "Warning" not in output and "Error" not in output, output
    sys.path.insert(0, str(tmp_path))
    try:
        exercise(gateway)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "odoo_client" or m.startswith("odoo_client.")]:
            del sys.modules[name]


def exercise(gateway: str) -> None:
    """Every kind of call through the generated client, answers in its typed models."""
    client_mod: Any = importlib.import_module("odoo_client")
    models: Any = importlib.import_module("odoo_client.models")

    def api(name: str) -> Any:
        return importlib.import_module(f"odoo_client.api.{name}")

    anonymous = client_mod.Client(base_url=gateway)
    issued = api("auth.issue_token").sync(
        client=anonymous, body=models.TokenRequest(login="admin", password="admin")
    )
    assert isinstance(issued, models.Token), issued
    assert issued.token_type == "Bearer" and issued.uid == 2
    refused = api("auth.issue_token").sync(
        client=anonymous, body=models.TokenRequest(login="admin", password="wrong")
    )
    assert isinstance(refused, models.Error) and refused.type_ == "invalid_credentials"

    client = client_mod.AuthenticatedClient(base_url=gateway, token=issued.access_token)
    page = api("res_partner.search_res_partner").sync(
        client=client, limit=3, order="id", domain='[["is_company", "=", true]]'
    )
    assert page.count == 3 and len(page.data) == 3
    first = page.data[0]
    assert isinstance(first, models.ResPartnerRecord)
    assert first.is_company is True and isinstance(first.name, str)

    one = api("res_partner.read_res_partner").sync(first.id, client=client)
    assert one.data[0].id == first.id and one.data[0].name == first.name

    tag = api("res_partner_category.search_res_partner_category").sync(client=client, limit=1)
    body = models.ResPartnerCreateValues.from_dict(
        {"name": "Generated client", "email": "gen@example.test", "category_id": [tag.data[0].id]}
    )
    created = api("res_partner.create_res_partner").sync(client=client, body=body)
    record = created.data[0]
    assert isinstance(record, models.ResPartnerRecord)
    assert record.name == "Generated client" and record.category_id == [tag.data[0].id]
    assert record.parent_id is False  # Odoo's empty many2one, typed as such

    change = models.ResPartnerWriteValues.from_dict({"name": "Renamed by the client"})
    written = api("res_partner.write_res_partner").sync(record.id, client=client, body=change)
    assert written.data[0].name == "Renamed by the client"

    called = api("res_partner.call_res_partner").sync(
        record.id, "read", client=client, body=models.MethodCall(args=[["name"]])
    )
    assert isinstance(called, models.MethodResult)
    assert called.data == [{"id": record.id, "name": "Renamed by the client"}]

    deleted = api("res_partner.delete_res_partner").sync(record.id, client=client)
    assert isinstance(deleted, models.Deleted) and deleted.data.deleted is True
    gone = api("res_partner.read_res_partner").sync(record.id, client=client)
    assert isinstance(gone, models.Error) and gone.type_ == "missing_error"


# --- TypeScript --------------------------------------------------------------------------


def npm_tools() -> Path:
    """``openapi-typescript`` and ``tsc``, installed from tests/clients' lock file."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail(
            "Node.js and npm are needed to check the TypeScript types: "
            "`apt-get install -y nodejs npm`",
            pytrace=False,
        )
    bin_dir = CLIENTS / "node_modules" / ".bin"
    if not (bin_dir / "openapi-typescript").exists() or not (bin_dir / "tsc").exists():
        run([npm, "ci", "--no-audit", "--no-fund"], CLIENTS)
    return bin_dir


def test_typescript_types_generated_as_is_pass_tsc_strict(
    gateway: str, token: str, tmp_path: Path
) -> None:
    bin_dir = npm_tools()
    files = []
    for path, name in (
        ("/api/openapi.json", "index"),
        ("/api/openapi/sale.order.json", "sale_order"),
        (f"/api/openapi.json?models={MODELS}", "partners"),
    ):
        spec = document(gateway, token, path, tmp_path, f"{name}.json")
        run([str(bin_dir / "openapi-typescript"), str(spec), "-o", f"{name}.ts"], tmp_path)
        files.append(f"{name}.ts")
    (tmp_path / "use.ts").write_text(
        'import type { components, paths } from "./partners";\n'
        'type Partner = components["schemas"]["ResPartner"];\n'
        'type Page = paths["/api/res.partner"]["get"]["responses"]["200"]'
        '["content"]["application/json"];\n'
        "export function names(page: Page): string[] {\n"
        "  return page.data.map((p: Partner) => (p.name === false ? '' : p.name ?? ''));\n"
        "}\n"
        "// @ts-expect-error: an id is a number\n"
        "export const wrong: Partner = { id: 'x' };\n"
    )
    run(
        [
            str(bin_dir / "tsc"),
            "--strict",
            "--noEmit",
            "--target",
            "es2022",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
            *files,
            "use.ts",
        ],
        tmp_path,
    )
