"""Metrics and readiness (issue #16 point 3): ``/metrics`` by route template, Odoo
calls by protocol and method, token cache, store and rate-limit figures; ``/readyz``
asks Odoo and the store for real; ``--ops-allow-ips`` keeps both off the public."""

from __future__ import annotations

import contextlib
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from odoo_restful import listeners
from odoo_restful.app import create_app
from odoo_restful.errors import TokenStoreError
from odoo_restful.sandbox import Sandbox
from odoo_restful.tokens.sqlite import SqliteStore

from .conftest import gateway_settings
from .servers import SlowCreates, serve_cli, serve_in_thread


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the exposition text (0 when absent)."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        series, value = line.rsplit(" ", 1)
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(value)
    return total


class FlakyStore(SqliteStore):
    """A real SQLite store whose readiness query can be made to fail."""

    down = False

    async def ping(self) -> None:
        if self.down:
            raise TokenStoreError("The token store failed")
        await super().ping()


def token(url: str) -> str:
    resp = requests.post(url + "/api/auth/token", json={"login": "admin", "password": "admin"})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


def test_metrics_by_route_template_odoo_call_cache_and_store(tmp_path: Path) -> None:
    settings = gateway_settings(tmp_path, db="sandbox", login_limit_per_user=1)
    with serve_in_thread(Sandbox().asgi) as odoo_url:
        app = create_app(settings.with_(odoo_url=odoo_url, protocol="jsonrpc"))
        with serve_in_thread(app) as url:
            before = requests.get(url + "/metrics").text
            access = token(url)
            for record_id in (1, 2, 3):
                resp = requests.get(
                    f"{url}/api/res.partner/{record_id}", headers={"access-token": access}
                )
                assert resp.status_code in (200, 404), resp.text
            for _ in range(2):  # a wrong password, then the login limit refuses
                requests.post(url + "/api/auth/token", json={"login": "x", "password": "y"})
            resp = requests.get(url + "/metrics")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain")
    text = resp.text
    route = "/api/{model}/{id}"
    got = sample(text, "odoo_restful_requests_total", method="GET", route=route)
    assert got - sample(before, "odoo_restful_requests_total", method="GET", route=route) == 3
    assert "/api/res.partner/1" not in text  # raw paths never become labels
    assert sample(text, "odoo_restful_request_seconds_count", route=route) >= 3
    assert sample(text, "odoo_restful_odoo_call_seconds_count", protocol="jsonrpc") > sample(
        before, "odoo_restful_odoo_call_seconds_count", protocol="jsonrpc"
    )
    assert sample(text, "odoo_restful_odoo_call_seconds_count", method="authenticate") >= 1
    hits = sample(text, "odoo_restful_token_cache_total", result="hit")
    assert hits - sample(before, "odoo_restful_token_cache_total", result="hit") >= 2
    assert sample(text, "odoo_restful_token_cache_total", result="miss") >= 1
    assert sample(text, "odoo_restful_store_seconds_count", operation="get") >= 1
    assert sample(text, "odoo_restful_store_seconds_count", operation="insert") >= 1
    refused = sample(text, "odoo_restful_rate_limited_total", limit="login")
    assert refused - sample(before, "odoo_restful_rate_limited_total", limit="login") == 1
    assert "odoo_restful_requests_in_flight" in text


def test_readyz_checks_odoo_and_the_store_for_real(tmp_path: Path) -> None:
    settings = gateway_settings(tmp_path, db="sandbox", ready_timeout=1.0)
    store = FlakyStore(settings.store)
    with contextlib.ExitStack() as stack:
        odoo = serve_in_thread(Sandbox().asgi)
        odoo_url = odoo.__enter__()
        app = create_app(settings.with_(odoo_url=odoo_url), store=store)
        url = stack.enter_context(serve_in_thread(app))
        resp = requests.get(url + "/readyz")
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"status": "ready", "checks": {"odoo": "ok", "store": "ok"}}
        store.down = True
        resp = requests.get(url + "/readyz")
        assert resp.status_code == 503
        assert resp.json()["checks"] == {"odoo": "ok", "store": "The token store failed"}
        store.down = False
        odoo.__exit__(None, None, None)  # Odoo goes away: the cached version is not enough
        resp = requests.get(url + "/readyz")
        assert resp.status_code == 503, resp.text
        checks = resp.json()["checks"]
        assert checks["store"] == "ok" and checks["odoo"] != "ok"
        assert requests.get(url + "/healthz").status_code == 200  # liveness only


def test_ops_allow_list_keeps_metrics_and_readiness_private(tmp_path: Path) -> None:
    settings = gateway_settings(tmp_path, sandbox=True, ops_allow_ips=("10.0.0.0/8",))
    with serve_in_thread(create_app(settings)) as url:
        for path in ("/metrics", "/readyz"):
            resp = requests.get(url + path)
            assert resp.status_code == 404, path
            assert resp.json()["type"] == requests.get(url + "/nothing").json()["type"]
        assert requests.get(url + "/healthz").status_code == 200
    settings = gateway_settings(tmp_path, sandbox=True, ops_allow_ips=("127.0.0.1", "::1"))
    with serve_in_thread(create_app(settings)) as url:
        assert requests.get(url + "/metrics").status_code == 200
        assert requests.get(url + "/readyz").status_code == 200


def test_bad_ops_allow_list_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="ops_allow_ips"):
        gateway_settings(Path("/nonexistent"), ops_allow_ips=("not-an-address",))


@pytest.mark.skipif(not listeners.supported(), reason="needs SO_REUSEPORT (Linux)")
def test_metrics_add_up_over_several_workers(tmp_path: Path) -> None:
    shared = tmp_path / "prom"
    shared.mkdir()
    (shared / "counter_99999.db").write_bytes(b"stale samples of an earlier run")
    env = {
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
        "ODOO_RESTFUL_STORE": str(tmp_path / "t.db"),
    }
    with serve_in_thread(Sandbox().asgi) as odoo_url:
        args = ["serve", "--workers", "2", "--db", "sandbox", "--odoo-url", odoo_url]
        with serve_cli(args, env=env) as (url, _):
            assert not (shared / "counter_99999.db").exists()  # emptied at start
            sent = 0
            files: set[str] = set()
            while len(files) < 2 and sent < 400:  # a new connection each: spread by the kernel
                with requests.Session() as s:
                    assert s.get(url + "/api/res.partner").status_code == 401
                sent += 1
                files = {p.name for p in shared.glob("counter_*.db")}
            text = requests.get(url + "/metrics").text
    assert len(files) == 2, files  # both workers counted requests
    counted = sample(text, "odoo_restful_requests_total", route="/api/{model}", status="401")
    assert counted == sent  # whichever worker answered /metrics, it sums both


def test_in_flight_counts_requests_being_served(tmp_path: Path) -> None:
    odoo = SlowCreates(1.0)
    settings = gateway_settings(tmp_path, db="sandbox")
    with contextlib.ExitStack() as stack:
        odoo_url = stack.enter_context(serve_in_thread(odoo))
        url = stack.enter_context(serve_in_thread(create_app(settings.with_(odoo_url=odoo_url))))
        headers = {"access-token": token(url)}

        def in_flight() -> float:
            return sample(requests.get(url + "/metrics").text, "odoo_restful_requests_in_flight")

        idle = in_flight()  # the /metrics request itself (the registry is per process)
        assert idle >= 1
        with ThreadPoolExecutor(2) as pool:
            creates = [
                pool.submit(
                    requests.post, url + "/api/res.partner", json={"name": n}, headers=headers
                )
                for n in ("In flight 1", "In flight 2")
            ]
            while odoo.creates < 2:
                time.sleep(0.02)
            assert in_flight() == idle + 2
            assert all(c.result().status_code == 201 for c in creates)
        assert in_flight() == idle
