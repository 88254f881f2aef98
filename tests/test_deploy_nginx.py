"""nginx in front of two replicas sharing one PostgreSQL store and one Redis (issue #16
point 5): Debian's nginx runs ``docs/nginx.conf`` on loopback (TLS with a throwaway
certificate). Tokens work across replicas, a revocation on one is refused on the other
within a second, the rate limit holds across both, and the client address reaches the
login guard through ``--forwarded-allow-ips``."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import requests
import urllib3

from odoo_restful.sandbox import Sandbox

from .deploy import CONF, nginx, redis_server
from .pg import fresh_database, pg_dsn  # noqa: F401  (pytest fixture)
from .servers import serve_cli, serve_in_thread


def from_address(source: str, port: int, ca: Path) -> urllib3.HTTPSConnectionPool:
    """A client that connects from ``source`` (a loopback address other than nginx's)."""
    return urllib3.HTTPSConnectionPool(
        "127.0.0.1", port, source_address=(source, 0), ca_certs=str(ca), retries=False
    )


def test_the_readme_shows_the_tested_configuration() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "```nginx\n" + CONF.read_text() + "```" in readme


def test_nginx_in_front_of_two_replicas(tmp_path: Path, pg_dsn: str) -> None:  # noqa: F811
    with contextlib.ExitStack() as stack:
        store = stack.enter_context(fresh_database(pg_dsn))
        redis_url = stack.enter_context(redis_server())
        odoo_url = stack.enter_context(serve_in_thread(Sandbox().asgi))
        env = {
            "ODOO_RESTFUL_SECRET": "cd" * 32,
            "ODOO_RESTFUL_STORE": store,
            "ODOO_RESTFUL_ODOO_URL": odoo_url,
            "ODOO_RESTFUL_DB": "sandbox",
            "ODOO_RESTFUL_FORWARDED_ALLOW_IPS": "127.0.0.1",
            "ODOO_RESTFUL_RATE_LIMIT": "6/minute",
            "ODOO_RESTFUL_RATE_LIMIT_STORAGE": redis_url,
            "ODOO_RESTFUL_LOGIN_LIMIT_PER_CLIENT": "2",
        }
        urls = [stack.enter_context(serve_cli(["serve"], env=env))[0] for _ in range(2)]
        replicas = [u.removeprefix("http://") for u in urls]
        http_port, https_port = stack.enter_context(nginx(tmp_path, replicas))
        front = f"https://127.0.0.1:{https_port}"
        session = stack.enter_context(requests.Session())
        session.trust_env = False  # REQUESTS_CA_BUNDLE would replace the certificate below
        session.verify = str(tmp_path / "cert.pem")  # the throwaway certificate, checked

        for private in ("/metrics", "/readyz"):
            assert session.get(front + private).status_code == 404
            assert requests.get(urls[0] + private).status_code == 200  # on the replica itself
        plain = requests.get(f"http://127.0.0.1:{http_port}/healthz", allow_redirects=False)
        assert plain.status_code == 308 and plain.headers["location"].startswith("https://")

        resp = session.post(front + "/api/auth/token", json={"login": "admin", "password": "admin"})
        assert resp.status_code == 200, resp.text
        token = resp.json()["access_token"]
        headers = {"access-token": token}
        for url in urls:  # issued through nginx (on either replica), valid on both
            assert requests.get(url + "/api/res.partner", headers=headers).status_code == 200

        # the rate limit is shared: 6 per minute in all, whichever replica answers
        # (2 of those already spent just above)
        statuses = [
            session.get(front + "/api/res.partner", headers=headers).status_code for _ in range(6)
        ]
        assert statuses == [200] * 4 + [429] * 2, statuses

        # a revocation on one replica is refused on the other within a second
        other = session.post(
            front + "/api/auth/token", json={"login": "admin", "password": "admin"}
        ).json()["access_token"]
        assert requests.get(urls[1] + "/api/res.users/2", headers={"access-token": other}).ok
        revoked = requests.delete(urls[0] + "/api/auth/token", headers={"access-token": other})
        assert revoked.status_code == 200, revoked.text
        deadline = time.monotonic() + 1.0
        while True:
            status = requests.get(
                urls[1] + "/api/res.users/2", headers={"access-token": other}
            ).status_code
            if status == 401 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert status == 401

        # the client's own address (not nginx's) reaches the login guard on both replicas
        guarded = from_address("127.0.0.5", https_port, tmp_path / "cert.pem")
        bad = {"login": "nobody", "password": "wrong"}
        codes = [
            guarded.request("POST", "/api/auth/token", json={**bad, "login": f"n{i}"}).status
            for i in range(3)
        ]
        assert codes == [401, 401, 429], codes
        elsewhere = from_address("127.0.0.6", https_port, tmp_path / "cert.pem")
        assert elsewhere.request("POST", "/api/auth/token", json=bad).status == 401
    access = (tmp_path / "access.log").read_text()
    assert access.count("127.0.0.5") == 3
