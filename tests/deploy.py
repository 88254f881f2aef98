"""Real deployments on loopback for the tests: Debian's nginx running ``docs/nginx.conf``
with a throwaway certificate, and a throwaway Redis. Shared by the nginx deployment
test and the faults-under-load test."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .servers import free_port

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


REDIS = shutil.which("redis-server")


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway Redis on loopback (no persistence); yields its URL."""
    if REDIS is None:
        pytest.fail("redis-server is not installed (.ci/run installs Debian's redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=0.5),
            ):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)
