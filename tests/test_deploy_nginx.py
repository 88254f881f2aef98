"""nginx in front of two replicas sharing one PostgreSQL store and one Redis (issue #16
point 5): Debian's nginx runs ``docs/nginx.conf`` on loopback (TLS with a throwaway
certificate). Tokens work across replicas, a revocation on one is refused on the other
within a second, the rate limit holds across both, and the client address reaches the
login guard through ``--forwarded-allow-ips``."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from odoo_restful.sandbox import Sandbox

from .pg import fresh_database, pg_dsn  # noqa: F401  (pytest fixture)
from .servers import free_port, serve_cli, serve_in_thread
from .test_throttle import redis_server

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
CONF = Path(__file__).parents[1] / "docs" / "nginx.conf"


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "api.example.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@contextlib.contextmanager
def nginx(folder: Path, replicas: list[str]) -> Iterator[tuple[int, int]]:
    """``docs/nginx.conf`` with loopback ports, these replicas and a throwaway certificate."""
    if NGINX is None:
        pytest.fail("nginx is not installed (.ci/run installs Debian's nginx)")
    cert, key = self_signed(folder)
    http_port, https_port = free_port(), free_port()
    text = CONF.read_text()
    swaps = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "server 10.0.0.11:8080": f"server {replicas[0]}",
        "server 10.0.0.12:8080": f"server {replicas[1]}",
        "/etc/ssl/certs/api.example.com.pem": str(cert),
        "/etc/ssl/private/api.example.com.key": str(key),
        "/var/log/nginx/odoo-restful.access.log": str(folder / "access.log"),
        "worker_processes auto;": "worker_processes 1;",
    }
    for old, new in swaps.items():
        assert old in text, old
        text = text.replace(old, new)
    conf = folder / "nginx.conf"
    conf.write_text(text)
    temp = "".join(
        f"{kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    extra = f"daemon off; pid {folder / 'nginx.pid'}; error_log {folder / 'error.log'};"
    # temp paths are http-level directives: add them through an include-free edit
    conf.write_text(text.replace("http {", "http {\n    " + temp, 1))
    proc = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(conf), "-g", extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read() if proc.stdout else b""
                log = (folder / "error.log").read_text() if (folder / "error.log").exists() else ""
                raise RuntimeError(f"nginx exited: {out.decode()} {log}")
            with contextlib.suppress(requests.ConnectionError):
                requests.get(f"http://127.0.0.1:{http_port}/", timeout=1, allow_redirects=False)
                break
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not start")
            time.sleep(0.05)
        yield http_port, https_port
    finally:
        proc.send_signal(signal.SIGQUIT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


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
