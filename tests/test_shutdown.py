"""Graceful shutdown (issue #16 point 4): on SIGTERM the gateway stops accepting,
finishes the requests in flight within ``--shutdown-timeout``, then closes the store
and the Odoo connections. A real gateway process, a slow Odoo call."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest
import requests

from .servers import SlowCreates, serve_cli, serve_in_thread


def start_create(
    url: str, token: str, answers: list[requests.Response | Exception]
) -> threading.Thread:
    def go() -> None:
        try:
            answers.append(
                requests.post(
                    url + "/api/res.partner",
                    json={"name": "Created during shutdown"},
                    headers={"access-token": token},
                    timeout=30,
                )
            )
        except requests.RequestException as exc:
            answers.append(exc)

    thread = threading.Thread(target=go)
    thread.start()
    return thread


@pytest.mark.parametrize(("deadline", "workers"), [(10.0, 1), (0.5, 1), (10.0, 2)])
def test_sigterm_finishes_requests_in_flight_then_closes(
    tmp_path: Path, deadline: float, workers: int
) -> None:
    odoo = SlowCreates(2.0)
    env = {"ODOO_RESTFUL_STORE": str(tmp_path / "t.db")}
    with serve_in_thread(odoo) as odoo_url:
        args = ["serve", "--db", "sandbox", "--odoo-url", odoo_url]
        args += ["--shutdown-timeout", str(deadline), "--workers", str(workers)]
        with serve_cli(args, env=env) as (url, proc):
            token = requests.post(
                url + "/api/auth/token", json={"login": "admin", "password": "admin"}
            ).json()["access_token"]
            answers: list[requests.Response | Exception] = []
            thread = start_create(url, token, answers)
            while odoo.creates == 0:  # the create has reached Odoo: it is in flight
                time.sleep(0.02)
            sent = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            # no longer accepting (several workers: the supervisor passes SIGTERM on
            # within its half-second poll)
            refused_within = 0.3 if workers == 1 else 1.2
            while True:
                try:
                    requests.get(url + "/healthz", timeout=2)
                except requests.ConnectionError:
                    break
                assert time.monotonic() - sent < refused_within, "still accepting"
                time.sleep(0.05)
            code = proc.wait(20)
            took = time.monotonic() - sent
            thread.join(30)
    log = proc.stdout.read() if proc.stdout else ""
    # uvicorn re-raises the signal once shut down, as a process killed by it would end
    assert code in (0, -signal.SIGTERM), log
    # every worker closed its store and Odoo connections
    assert log.count("stopped: token store and Odoo connections closed") == workers, log
    (answer,) = answers
    if deadline > 2.0:
        assert isinstance(answer, requests.Response), answer
        assert answer.status_code == 201, answer.text  # finished, not cut off
        assert 1.5 <= took < deadline
    else:  # the deadline passed first: the request is cut off, the process still stops
        assert not isinstance(answer, requests.Response) or answer.status_code >= 500
        assert took < 2.0
