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


@pytest.mark.parametrize("deadline", [10.0, 0.5])
def test_sigterm_finishes_requests_in_flight_then_closes(tmp_path: Path, deadline: float) -> None:
    odoo = SlowCreates(2.0)
    env = {"ODOO_RESTFUL_STORE": str(tmp_path / "t.db")}
    with serve_in_thread(odoo) as odoo_url:
        args = ["serve", "--db", "sandbox", "--odoo-url", odoo_url]
        args += ["--shutdown-timeout", str(deadline)]
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
            time.sleep(0.3)
            with pytest.raises(requests.ConnectionError):  # no longer accepting
                requests.get(url + "/healthz", timeout=2)
            code = proc.wait(20)
            took = time.monotonic() - sent
            thread.join(30)
    log = proc.stdout.read() if proc.stdout else ""
    # uvicorn re-raises the signal once shut down, as a process killed by it would end
    assert code in (0, -signal.SIGTERM), log
    assert "stopped: token store and Odoo connections closed" in log
    (answer,) = answers
    if deadline > 2.0:
        assert isinstance(answer, requests.Response), answer
        assert answer.status_code == 201, answer.text  # finished, not cut off
        assert 1.5 <= took < deadline
    else:  # the deadline passed first: the request is cut off, the process still stops
        assert not isinstance(answer, requests.Response) or answer.status_code >= 500
        assert took < 2.0
