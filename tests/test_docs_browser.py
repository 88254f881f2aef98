"""The API explorer in a real browser: headless Chromium (Debian's package) driven by
Playwright. It opens ``/api/docs``, signs in on the page (or authorises with a
token), picks a model, runs ``GET /api/res.partner`` with "Try it out" / "Execute",
and checks the records shown,
while watching that no request leaves 127.0.0.1 and that the page's CSP blocks
nothing Swagger UI needs.

Never run ``playwright install``: the browser is ``/usr/bin/chromium``
(``apt-get install -y chromium``) and Playwright comes from ``pip install playwright``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.sandbox import Sandbox

from .conftest import gateway_settings
from .servers import serve_in_thread

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright for Python is not installed: `pip install playwright` "
            "(do NOT run `playwright install`; the test uses Debian's Chromium)",
            pytrace=False,
        )
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: `apt-get install -y chromium`",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("browser")
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


class Watch:
    """Every request the page makes, and every console error or page error."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        self.problems: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda msg: (
                self.problems.append(f"console {msg.type}: {msg.text}")
                if msg.type in ("error", "warning")
                else None
            ),
        )

    def assert_only_loopback(self) -> None:
        assert self.urls
        for url in self.urls:
            parts = urlsplit(url)
            assert parts.scheme in ("http", "data", "blob"), url
            if parts.scheme == "http":
                assert parts.hostname == "127.0.0.1", f"request left 127.0.0.1: {url}"


def authorise(page: Page, token: str) -> None:
    page.locator(".btn.authorize").first.click()
    box = page.locator(".auth-container").first  # the access-token header scheme
    assert "access-token" in box.inner_text()
    box.locator("input").fill(token)
    box.locator("button.authorize").click()
    page.locator(".modal-ux button.btn-done").first.click()


def pick(page: Page, model: str) -> None:
    """Choose a model in the explorer's picker; its full document replaces the index."""
    page.locator("#odoo-restful-docs[data-state=loaded]").wait_for()
    page.locator("#odoo-restful-model").select_option(model)
    page.locator("#odoo-restful-docs[data-state=loaded]").wait_for()


def operation(page: Page, operation_id: str) -> Locator:
    # Swagger UI's ids are "operations-<tag>-<operationId>" (dots in tags escaped).
    op = page.locator(f'[id$="-{operation_id}"]')
    op.wait_for(timeout=TIMEOUT_MS)
    return op


def test_try_it_out_lists_partners(browser: Browser, gateway: str, token: str) -> None:
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page)
    response = page.goto(gateway + "/api/docs")
    assert response is not None and response.status == 200
    page.locator(".btn.authorize").first.wait_for()
    operation(page, "issue_token")
    assert page.locator(".opblock").count() == 1, "only signing in before a token is given"

    authorise(page, token)
    assert page.locator("#odoo-restful-docs").get_attribute("data-state") in ("loading", "loaded")
    operation(page, "search_record")  # the index: every model, generic routes
    pick(page, "res.partner")
    search = operation(page, "search_res_partner")
    search.locator(".opblock-summary").click()
    search.locator("button.try-out__btn").click()
    search.locator('tr[data-param-name="limit"] input').fill("5")
    search.locator('tr[data-param-name="order"] input').fill("id")
    # The domain is JSON text in one box.
    search.locator('tr[data-param-name="domain"] input').fill('[["is_company", "=", true]]')
    search.locator('tr[data-param-name="fields"] select').select_option(["name", "is_company"])
    search.locator("button.execute").click()

    row = search.locator(".live-responses-table tbody tr.response")
    row.wait_for()
    assert row.locator(".response-col_status").inner_text().strip() == "200"
    shown: dict[str, Any] = json.loads(
        row.locator(".response-col_description pre").first.inner_text()
    )
    query: dict[str, str | int] = {
        "limit": 5,
        "order": "id",
        "domain": '[["is_company", "=", true]]',
        "fields": "name,is_company",
    }
    expected = requests.get(
        gateway + "/api/res.partner",
        params=query,
        headers={"access-token": token},
        timeout=30,
    ).json()
    assert shown == expected
    assert shown["count"] == 5
    assert all(r["is_company"] is True and r["name"] for r in shown["data"])
    assert set(shown["data"][0]) == {"id", "name", "is_company"}

    # The request went out with the token in the access-token header.
    curl = search.locator(".curl-command").inner_text()
    assert f"access-token: {token}" in curl and "/api/res.partner?" in curl
    sent = [u for u in watch.urls if "/api/res.partner?" in u]
    assert len(sent) == 1 and "fields=name,is_company" in sent[0]
    assert any(u.endswith("/api/openapi.json") for u in watch.urls)
    assert any(u.endswith("/api/openapi/res.partner.json") for u in watch.urls)
    assert watch.problems == []
    watch.assert_only_loopback()
    page.close()


def test_a_bad_token_says_so_and_loads_nothing(browser: Browser, gateway: str) -> None:
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page)
    page.goto(gateway + "/api/docs")
    authorise(page, "odr_not-a-real-token")
    page.locator("#odoo-restful-docs[data-state=error]").wait_for()
    assert "could not be loaded" in page.locator(".info").inner_text()
    assert page.locator('[id$="-search_record"]').count() == 0
    assert page.locator(".model-picker").is_hidden()
    # The failed fetch of the document is the one expected console error.
    assert all("401" in p or "openapi.json" in p for p in watch.problems), watch.problems
    watch.assert_only_loopback()
    page.close()


def test_docs_page_models_parameter_reaches_the_document(
    browser: Browser, gateway: str, token: str
) -> None:
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page)
    page.goto(gateway + "/api/docs?models=res.country")
    authorise(page, token)
    operation(page, "search_res_country")
    assert page.locator('[id$="-search_res_partner"]').count() == 0
    assert any(u.endswith("/api/openapi.json?models=res.country") for u in watch.urls)
    assert watch.problems == []
    watch.assert_only_loopback()
    page.close()


def test_sign_in_on_the_page_then_pick_a_model_and_list(browser: Browser, gateway: str) -> None:
    """From the first click: no token in hand, sign in with the token route itself."""
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page)
    page.goto(gateway + "/api/docs")
    issue = operation(page, "issue_token")
    issue.locator(".opblock-summary").click()
    issue.locator("button.try-out__btn").click()
    issue.locator("textarea.body-param__text").fill(
        json.dumps({"login": "demo", "password": "demo"})
    )
    issue.locator("button.execute").click()
    row = issue.locator(".live-responses-table tbody tr.response")
    row.wait_for()
    assert row.locator(".response-col_status").inner_text().strip() == "200"

    # The token was applied: the index of the models demo can read replaced the page.
    operation(page, "search_record")
    page.locator("#odoo-restful-docs[data-state=loaded]").wait_for()
    listed = page.locator("#odoo-restful-model option").all_inner_texts()
    assert "res.partner" in listed and "sale.order" in listed and len(listed) > 5
    pick(page, "res.country")
    search = operation(page, "search_res_country")
    search.locator(".opblock-summary").click()
    search.locator("button.try-out__btn").click()
    search.locator('tr[data-param-name="limit"] input').fill("3")
    search.locator("button.execute").click()
    result = search.locator(".live-responses-table tbody tr.response")
    result.wait_for()
    assert result.locator(".response-col_status").inner_text().strip() == "200"
    shown = json.loads(result.locator(".response-col_description pre").first.inner_text())
    assert shown["count"] == 3 and all(r["id"] and r["name"] for r in shown["data"])
    curl = search.locator(".curl-command").inner_text()
    assert "access-token: odr_" in curl or "access-token: " in curl
    assert watch.problems == []
    watch.assert_only_loopback()
    page.close()
