"""Schema fuzzing: schemathesis generates requests from the OpenAPI document that a
gateway over the sandbox serves, sends them through real HTTP on loopback, and checks
every response: no 5xx, a documented status code and content type, a body that
matches the documented schema.

Bounded: a fixed number of examples per operation and mode (positive: valid per the
document; negative: deliberately invalid), at least ``MIN_REQUESTS`` in all, and a
wall-clock budget (``FUZZ_BUDGET`` seconds) after which no more requests are sent.
Deterministic by default (``FUZZ_SEED`` changes the seed). Every finding is
collected and reported together, each with a curl reproducer.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from odoo_restful.app import create_app
from odoo_restful.openapi import DEFAULT_MODELS
from odoo_restful.sandbox import Sandbox

from .conftest import gateway_settings
from .servers import serve_in_thread

MIN_REQUESTS = 1000
BUDGET_S = float(os.environ.get("FUZZ_BUDGET", "240"))
SEED = int(os.environ.get("FUZZ_SEED", "20261127"))
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))  # more examples per operation for deep runs
PROTOCOL = os.environ.get("FUZZ_PROTOCOL", "jsonrpc")  # jsonrpc, json2 or web
EXAMPLES = {
    GenerationMode.POSITIVE: max(1, round(14 * SCALE)),
    GenerationMode.NEGATIVE: max(1, round(9 * SCALE)),
}
#: JSON-2 signs in with API keys (the sandbox's recorded ones).
PASSWORDS = {
    "json2": {
        "admin": "70b6df629fce8d93489d66aa448a7cc136165301",
        "nosales": "cc45fd2c663fae4214a2cf7c65d2e66eef912c92",
    }
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
#: These end the token they are sent with (or all of the user's tokens): each case
#: gets a throwaway token of another user, issued before any login is fuzzed.
THROWAWAY = frozenset({"revoke_token", "revoke_all_tokens", "refresh_token"})
#: Writing or deleting users could lock the fuzzing user out of the sandbox (a new
#: password, ``active: false`` on uid 2) and end the run early: reads are fuzzed.
EXCLUDED = frozenset(
    {
        "write_res_users",
        "patch_res_users",
        "delete_res_users",
        "call_res_users",
        "call_patch_res_users",
    }
)
REQUEST_TIMEOUT_S = 60


@dataclass
class Run:
    url: str
    token: str
    spare_tokens: list[str]
    deadline: float
    sent: int = 0
    per_operation: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    table: dict[str, dict[int, int]] = field(default_factory=dict)
    findings: dict[tuple[str, str, int], str] = field(default_factory=dict)
    unsatisfiable: list[str] = field(default_factory=list)


def issue(url: str, login: str) -> str:
    password = PASSWORDS.get(PROTOCOL, {}).get(login, login)
    resp = requests.post(
        url + "/api/auth/token",
        json={"login": login, "password": password, "db": "sandbox"},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    token: str = resp.json()["access_token"]
    return token


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    with serve_in_thread(Sandbox().asgi) as odoo_url:
        settings_ = gateway_settings(tmp, odoo_url=odoo_url, db="sandbox", protocol=PROTOCOL)
        with serve_in_thread(create_app(settings_)) as url:
            yield url


def operation_id(case: Case[Any]) -> str:
    raw: dict[str, Any] = case.operation.definition.raw
    return str(raw.get("operationId", case.operation.label))


def _short(text: str, limit: int = 1500) -> str:
    return text if len(text) <= limit else text[:limit] + f"... [{len(text) - limit} more chars]"


def make_test(run: Run, mode: GenerationMode, examples: int) -> Callable[[Case[Any]], None]:
    def fuzz(case: Case[Any]) -> None:
        if time.monotonic() > run.deadline:
            return
        op = operation_id(case)
        token = run.token
        if op in THROWAWAY:
            token = run.spare_tokens.pop() if run.spare_tokens else issue(run.url, "nosales")
        headers = {"access-token": token}
        response = case.call(base_url=run.url, headers=headers, timeout=REQUEST_TIMEOUT_S)
        run.sent += 1
        run.per_operation[op] = run.per_operation.get(op, 0) + 1
        run.statuses[response.status_code] = run.statuses.get(response.status_code, 0) + 1
        row = run.table.setdefault(f"{mode.value:8} {case.operation.label}", {})
        row[response.status_code] = row.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                if failure.title == "Undocumented Content-Type" and (
                    "Documented: application/octet-stream" in failure.message
                ):
                    # file downloads answer the file's own type (image/png, application/pdf),
                    # documented as one binary type because client generators refuse */*
                    continue
                key = (op, failure.title, response.status_code)
                run.findings.setdefault(
                    key,
                    f"{mode.value} {case.operation.label} -> {response.status_code}: "
                    f"{failure.title}\n{_short(failure.message, 800)}\n"
                    f"body: {_short(response.content.decode('utf-8', 'replace'), 600)}\n"
                    f"reproduce: {_short(case.as_curl_command(headers=headers), 1500)}",
                )

    strategy_test = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=True,
    )(fuzz)
    return strategy_test


def test_fuzz_the_documented_api(gateway: str) -> None:
    token = issue(gateway, "admin")
    # The common models in full (the index has the same routes in generic form).
    resp = requests.get(
        gateway + "/api/openapi.json",
        params={"models": ",".join(DEFAULT_MODELS)},
        headers={"access-token": token},
        timeout=60,
    )
    assert resp.status_code == 200, resp.text
    document = resp.json()
    schema = schemathesis.openapi.from_dict(document)
    schema.config.update(base_url=gateway)
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    fuzzed = [op for op in operations if op.definition.raw.get("operationId") not in EXCLUDED]
    throwaway_ops = [o for o in fuzzed if o.definition.raw.get("operationId") in THROWAWAY]
    throwaway_cases = len(throwaway_ops) * sum(EXAMPLES.values())
    spares = [issue(gateway, "nosales") for _ in range(throwaway_cases + 10)]
    run = Run(gateway, token, spares, time.monotonic() + BUDGET_S)
    started = time.monotonic()
    # Token routes that end tokens first, while their throwaway tokens are fresh; then
    # the rest (the login routes last: failed logins trip the login rate limit).
    order = sorted(
        fuzzed,
        key=lambda op: (
            op.definition.raw.get("operationId") not in THROWAWAY,
            op.definition.raw.get("operationId", "").startswith("issue_token"),
        ),
    )
    for op in order:
        for mode, examples in EXAMPLES.items():
            strategy = op.as_strategy(generation_mode=mode)
            test = seed(SEED)(given(case=strategy)(make_test(run, mode, examples)))
            try:
                test()
            except Unsatisfiable:  # e.g. nothing to make invalid in GET /healthz
                run.unsatisfiable.append(f"{mode.value} {op.label}")
    elapsed = time.monotonic() - started
    summary = (
        f"{run.sent} requests over {len(run.per_operation)} operations in {elapsed:.0f} s; "
        f"statuses: {dict(sorted(run.statuses.items()))}; nothing to generate for: "
        f"{', '.join(run.unsatisfiable) or 'none'}"
    )
    print(summary)
    for label, counts in run.table.items():  # shown with -s, or in the captured output
        print(f"  {label}: {dict(sorted(counts.items()))}")
    findings = "\n\n".join(run.findings.values())
    assert not run.findings, f"{len(run.findings)} finding(s); {summary}\n\n{findings}"
    assert run.sent >= MIN_REQUESTS, f"only {summary} (budget {BUDGET_S:.0f} s)"
    assert not any(status >= 500 for status in run.statuses), summary
    assert len(run.per_operation) == len(fuzzed), summary
