"""The parts of webhooks written so far: Standard Webhooks signatures (checked with
the ``standardwebhooks`` package) and the SSRF checks on receiver URLs."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from odoo_restful.errors import BadRequest
from odoo_restful.webhooks import signing, targets


def test_signed_deliveries_verify_with_the_reference_package() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    body = b'{"type":"res.partner.updated","data":{"id":7}}'
    now = int(time.time())
    headers = signing.headers(secret, "msg_2x1", now, body)
    assert Webhook(secret).verify(body, headers) is not None
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, {**headers, "webhook-id": "msg_other"})


@pytest.mark.parametrize("secret", ["nope", "whsec_!!", "whsec_AAAA"])
def test_malformed_secrets_are_refused(secret: str) -> None:
    with pytest.raises(BadRequest):
        signing.signature(secret, "m", 1, b"")


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("240.0.0.1", "reserved"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_forbidden_addresses(address: str, why: str | None) -> None:
    assert targets.forbidden(ipaddress.ip_address(address)) == why


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "http://",
        "http://user:pw@example.com/",
        "http://example.com:99999/",
        "http://[zz/",
        "http://[::1/",
        "x" * 3000,
        42,
    ],
)
def test_bad_urls_are_400(url: Any) -> None:
    with pytest.raises(BadRequest):
        targets.parse_url(url)


def test_loopback_receivers_need_the_operator_flag() -> None:
    for url in ("http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://[::1]/"):
        with pytest.raises(BadRequest, match="--webhook-allow-private"):
            asyncio.run(targets.resolve(url, allow_private=False))
    target = asyncio.run(targets.resolve("http://127.0.0.1:9/hook", allow_private=True))
    assert (target.host, target.port, target.address) == ("127.0.0.1", 9, "127.0.0.1")


def test_unresolvable_hosts_are_400() -> None:
    with pytest.raises(BadRequest, match="cannot resolve"):
        asyncio.run(targets.resolve("http://no-such-host.invalid/", allow_private=False))
