"""Per-token and per-user rate limits (issue #16 point 1): 429 with Retry-After and the
IETF draft RateLimit headers, limits by scope, counters in memory or shared through
Redis (Debian's redis-server, started here on a free loopback port)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.config import Settings
from odoo_restful.sandbox import Sandbox

from .conftest import gateway_settings
from .deploy import redis_server
from .servers import free_port, serve_in_thread


def token(url: str, login: str = "admin", **scopes: object) -> str:
    resp = requests.post(
        url + "/api/auth/token", json={"login": login, "password": login, **scopes}
    )
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


def get(url: str, tok: str) -> requests.Response:
    return requests.get(
        url + "/api/res.partner", params={"limit": 1}, headers={"access-token": tok}
    )


def test_per_token_limit_answers_429_with_headers(tmp_path: Path) -> None:
    settings = gateway_settings(tmp_path, sandbox=True, rate_limit="3/minute")
    with serve_in_thread(create_app(settings)) as url:
        tok, other = token(url), token(url)
        answers = [get(url, tok) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
        first = answers[0]
        assert first.headers["RateLimit-Limit"] == "3"
        assert first.headers["RateLimit-Policy"] == "3;w=60"
        assert 0 < int(first.headers["RateLimit-Reset"]) <= 60
        assert first.headers["RateLimit"].startswith("limit=3, remaining=2, reset=")
        refused = answers[3]
        assert refused.json()["type"] == "too_many_requests"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["RateLimit-Remaining"] == "0"
        assert get(url, other).status_code == 200  # another token counts on its own
        assert "RateLimit-Limit" not in requests.get(url + "/healthz").headers


def test_per_user_limit_spans_tokens_and_scopes_override(tmp_path: Path) -> None:
    settings = gateway_settings(
        tmp_path,
        sandbox=True,
        rate_limit="100/minute",
        rate_limit_per_user="4/minute",
        rate_limit_scopes=("read_only=1/minute",),
    )
    with serve_in_thread(create_app(settings)) as url:
        reader = token(url, "nosales", read_only=True)
        assert get(url, reader).status_code == 200
        assert get(url, reader).status_code == 429  # read-only tokens: 1/minute
        a, b = token(url), token(url)
        statuses = [get(url, t).status_code for t in (a, b, a, b, a)]
        assert statuses == [200, 200, 200, 200, 429]  # 4 per user, whichever token
        resp = get(url, b)
        assert resp.status_code == 429 and "user" in resp.json()["message"]


def test_tokens_narrowed_to_models_get_the_scoped_limit(tmp_path: Path) -> None:
    settings = gateway_settings(
        tmp_path, sandbox=True, rate_limit="100/minute", rate_limit_scopes=("scoped=2/minute",)
    )
    with serve_in_thread(create_app(settings)) as url:
        narrowed = token(url, "demo", models=["res.partner"])
        assert [get(url, narrowed).status_code for _ in range(3)] == [200, 200, 429]
        assert get(url, token(url, "demo")).status_code == 200  # an unscoped token: 100


def test_redis_shares_the_limit_between_replicas(tmp_path: Path) -> None:
    with redis_server() as redis_url, serve_in_thread(Sandbox().asgi) as odoo_url:
        settings = gateway_settings(
            tmp_path,
            odoo_url=odoo_url,
            db="sandbox",
            rate_limit="5/minute",
            rate_limit_storage=redis_url,
        )
        with (
            serve_in_thread(create_app(settings)) as one,
            serve_in_thread(create_app(settings)) as two,
        ):
            tok = token(one)
            statuses = [get((one, two)[i % 2], tok).status_code for i in range(7)]
            assert statuses == [200] * 5 + [429] * 2
            text = requests.get(one + "/metrics").text
            assert 'odoo_restful_rate_limited_total{limit="token"}' in text


def test_storage_down_lets_requests_through(tmp_path: Path) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings = gateway_settings(
        tmp_path, sandbox=True, rate_limit="1/minute", rate_limit_storage=dead
    )
    with serve_in_thread(create_app(settings)) as url:
        tok = token(url)
        assert [get(url, tok).status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("rate_limit", "lots"),
        ("rate_limit_per_user", "5/fortnight"),
        ("rate_limit_scopes", ("admins=1/second",)),
        ("rate_limit_storage", "memcached://x"),
    ],
)
def test_bad_rate_limit_settings_are_clear_errors(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=name):
        Settings(**{name: value})


def test_browser_clients_may_send_keys_and_read_the_limit_headers(tmp_path: Path) -> None:
    """With CORS open to an origin, a browser may send Idempotency-Key (preflight) and
    read Retry-After, Idempotent-Replayed and the RateLimit headers."""
    origin = "https://app.example"
    settings = gateway_settings(
        tmp_path, sandbox=True, rate_limit="3/minute", cors_origins=(origin,)
    )
    with serve_in_thread(create_app(settings)) as url:
        pre = requests.options(
            url + "/api/res.partner",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "access-token, idempotency-key",
            },
        )
        assert pre.status_code == 200, pre.text
        assert "idempotency-key" in pre.headers["access-control-allow-headers"].lower()
        resp = requests.get(
            url + "/api/res.partner",
            params={"limit": 1},
            headers={"access-token": token(url), "Origin": origin},
        )
        assert resp.status_code == 200 and resp.headers["RateLimit-Remaining"] == "2"
        exposed = {
            h.strip().lower() for h in resp.headers["access-control-expose-headers"].split(",")
        }
        wanted = {"retry-after", "idempotent-replayed", "ratelimit-remaining", "ratelimit-reset"}
        assert wanted <= exposed, exposed
