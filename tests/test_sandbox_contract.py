"""Replay the real Odoo 19 recordings (``../shared/odoo-wire``) against the sandbox.

Every recording the sandbox serves is sent, in ``_index.json`` order, to ONE
sandbox (the recordings create records that later ones read, write and delete),
with its recorded method, path, headers and body. The sandbox's clock is set to
the time of the recordings, and its seed has the ids and id sequences of the
recorded database, so created records get the recorded ids.

Checks, per recording (rules of :func:`assert_compatible`):

* the HTTP status is equal, and so is the kind of body (JSON or HTML); an HTML
  body is equal byte for byte; a ``WWW-Authenticate`` header is there when it was;
* a JSON body has the same top-level keys; a JSON-RPC ``result`` has the same
  JSON type as recorded and, for lists and objects, recursively the same keys and
  value types; a top-level list has the same length. ``false`` is compatible with
  any type (Odoo's empty value: a many2one may be ``false`` on one side and
  ``[id, name]`` on the other); ids and texts may differ; an empty nested list is
  compatible with any list;
* an error has the same ``error.code`` and ``error.data.name`` (JSON-RPC), or the
  same ``name`` (JSON-2 bare error body), and the same keys.

On top of that, the sandbox answers most recordings *exactly* (same body, apart
from the ``debug`` traceback): ``NOT_EXACT`` lists the ones whose values differ,
with the reason.

The one adaptation of a request: the web-session recordings carry the
``session_id`` cookie of the recorded server; the replay sends the cookie the
sandbox itself set at ``/web/session/authenticate`` instead.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from odoo_restful.sandbox import Sandbox


def _wire_dir() -> Path:
    env = os.environ.get("ODOO_WIRE_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "odoo-wire"


WIRE_DIR = _wire_dir()
RECORDED_AT = datetime(2026, 11, 27, 2, 11, 35)

#: Recordings the sandbox does not answer, with the reason. Must be exactly the
#: recordings the replay skips (checked below), so this list cannot silently grow.
NOT_REPLAYED: dict[str, str] = {
    name: "XML-RPC (/xmlrpc/2/*) is not served by the sandbox"
    for name in (
        "xmlrpc_common_version.json",
        "xmlrpc_common_authenticate_ok.json",
        "xmlrpc_common_authenticate_wrong_password.json",
        "xmlrpc_common_authenticate_wrong_db.json",
        "xmlrpc_object_search_read.json",
        "xmlrpc_object_read_sale_order.json",
        "xmlrpc_object_search_count.json",
        "xmlrpc_object_create_partner.json",
        "xmlrpc_fault_access_error.json",
        "xmlrpc_fault_access_denied.json",
        "xmlrpc_fault_validation_error.json",
        "xmlrpc_fault_missing_error.json",
        "xmlrpc_fault_unknown_model.json",
        "xmlrpc_fault_bad_domain.json",
        "xmlrpc_fault_private_method.json",
    )
}

#: Replayed recordings whose body the sandbox does not reproduce value for value.
NOT_EXACT: dict[str, str] = {
    "jsonrpc_search_count_context_active_test.json": "count includes extra seed partners 60-68",
    "json2_search_count_context.json": "count includes extra seed partners 60-68",
    "jsonrpc_read_partner_field_types.json": "image_128 is a generated placeholder; write_date",
    "json2_read_partner_field_types.json": "image_128 is a generated placeholder; write_date",
    "jsonrpc_read_partner_bin_size.json": "size of the placeholder image",
    "web_session_authenticate_ok.json": "registry hash, access tokens, settings id differ",
    "web_session_get_session_info.json": "registry hash, access tokens, settings id differ",
}


def _served(recording: dict[str, Any]) -> bool:
    return not recording["request"]["path"].startswith("/xmlrpc/")


def _load_index() -> list[str]:
    if not WIRE_DIR.is_dir():
        pytest.fail(
            f"Odoo wire recordings not found at {WIRE_DIR}: set ODOO_WIRE_DIR or check out "
            "the shared recordings next to the repository (../shared/odoo-wire)",
            pytrace=False,
        )
    with (WIRE_DIR / "_index.json").open(encoding="utf-8") as fh:
        return [entry["file"] for entry in json.load(fh)]


def _load(name: str) -> dict[str, Any]:
    with (WIRE_DIR / name).open(encoding="utf-8") as fh:
        recording: dict[str, Any] = json.load(fh)
    return recording


class Outcome:
    def __init__(self, recording: dict[str, Any], reply: tuple[int, dict[str, str], bytes]):
        self.recording = recording
        self.status, self.headers, self.body = reply


@pytest.fixture(scope="module")
def replay() -> dict[str, Outcome]:
    """Replay every served recording once, in order, against one sandbox."""
    sandbox = Sandbox(now=lambda: RECORDED_AT)
    outcomes: dict[str, Outcome] = {}
    session_cookie: str | None = None
    for name in _load_index():
        recording = _load(name)
        if not _served(recording):
            continue
        request = recording["request"]
        headers = dict(request["headers"])
        if session_cookie and "Cookie" in headers:
            headers["Cookie"] = f"session_id={session_cookie}"
        body = (request["body_raw"] or "").encode("utf-8")
        reply = sandbox.handle(request["method"], request["path"], headers, body)
        cookie = reply[1].get("set-cookie")
        if cookie and request["path"] == "/web/session/authenticate":
            session_cookie = cookie.split(";", 1)[0].split("=", 1)[1]
        outcomes[name] = Outcome(recording, reply)
    return outcomes


def _index_or_empty() -> list[str]:
    try:
        with (WIRE_DIR / "_index.json").open(encoding="utf-8") as fh:
            return [entry["file"] for entry in json.load(fh)]
    except OSError:
        return ["<recordings missing>"]


def test_recordings_present() -> None:
    names = _load_index()
    assert len(names) == 131, f"expected the 131 recordings, found {len(names)}"
    on_disk = {p.name for p in WIRE_DIR.glob("*.json")} - {"_index.json"}
    assert set(names) == on_disk


def test_not_replayed_list_is_exact() -> None:
    skipped = {name for name in _load_index() if not _served(_load(name))}
    assert skipped == set(NOT_REPLAYED)
    assert set(NOT_EXACT) <= set(_load_index()) - skipped


def _is_json(headers: dict[str, str]) -> bool:
    return "json" in headers.get("content-type", headers.get("Content-Type", ""))


def assert_compatible(expected: Any, got: Any, where: str = "result", top: bool = True) -> None:
    """``got`` has the shape of ``expected`` (see the module docstring for the rules)."""
    if expected is False or got is False:
        return
    if isinstance(expected, list) and isinstance(got, list):
        if top:
            assert len(got) == len(expected), f"{where}: {len(got)} items, recorded {len(expected)}"
        for i, (exp_item, got_item) in enumerate(zip(expected, got, strict=False)):
            assert_compatible(exp_item, got_item, f"{where}[{i}]", top=False)
        return
    assert type(got) is type(expected), (
        f"{where}: {type(got).__name__} {got!r:.80}, recorded {type(expected).__name__} "
        f"{expected!r:.80}"
    )
    if isinstance(expected, dict):
        assert set(got) == set(expected), (
            f"{where}: keys differ: missing {sorted(set(expected) - set(got))}, "
            f"extra {sorted(set(got) - set(expected))}"
        )
        for key, value in expected.items():
            assert_compatible(value, got[key], f"{where}.{key}", top=False)


def _without_debug(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_debug(v) for k, v in value.items() if k != "debug"}
    if isinstance(value, list):
        return [_without_debug(v) for v in value]
    return value


@pytest.mark.parametrize("name", [n for n in _index_or_empty() if n not in NOT_REPLAYED])
def test_replay(name: str, replay: dict[str, Outcome]) -> None:
    """Recordings in NOT_REPLAYED are left out here; test_not_replayed_list_is_exact
    keeps that list equal to what the sandbox cannot serve."""
    outcome = replay[name]
    recorded = outcome.recording["response"]
    assert outcome.status == recorded["status"], outcome.body[:500]
    assert _is_json(outcome.headers) == _is_json(recorded["headers"])
    if "WWW-Authenticate" in recorded["headers"]:
        assert outcome.headers.get("www-authenticate") == recorded["headers"]["WWW-Authenticate"]
    if not _is_json(recorded["headers"]):
        assert outcome.body.decode("utf-8") == recorded["body_raw"]
        return
    expected = recorded["body"]
    got = json.loads(outcome.body)
    if isinstance(expected, dict) and "jsonrpc" in expected:
        assert set(got) == set(expected)
        if "error" in expected:
            assert got["error"]["code"] == expected["error"]["code"]
            assert got["error"]["data"]["name"] == expected["error"]["data"]["name"]
            assert set(got["error"]["data"]) == set(expected["error"]["data"])
        else:
            assert_compatible(expected["result"], got["result"])
    elif recorded["status"] >= 400:
        assert got["name"] == expected["name"]
        assert set(got) == set(expected)
    else:
        assert_compatible(expected, got)
    if name not in NOT_EXACT:
        assert _without_debug(got) == _without_debug(expected)


def test_debug_is_a_short_fake_traceback(replay: dict[str, Outcome]) -> None:
    """Errors carry a ``debug`` text, never a real traceback with server paths."""
    seen = 0
    for outcome in replay.values():
        if not _is_json(outcome.headers):
            continue
        body = json.loads(outcome.body)
        error = body.get("error", {}).get("data") if isinstance(body, dict) else None
        if error is None and isinstance(body, dict) and "debug" in body:
            error = body
        if error:
            seen += 1
            assert error["debug"].endswith("\n")
            assert 'File "' not in error["debug"]
    assert seen > 40
