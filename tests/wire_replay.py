"""Replaying a folder of real Odoo recordings against a fresh sandbox, and the checks.

Each contract test module (``test_sandbox_contract*.py``) describes one folder of
``../shared/`` with a :class:`WireFolder`: how many recordings it holds, the time
they were recorded (the sandbox's clock), the recordings the sandbox does not
answer (``not_replayed``) and those it answers with other values (``not_exact``),
each with its reason. The replay and the checks are here, shared by every folder.

Every recording is sent, in ``_index.json`` order, to ONE sandbox (the recordings
create records that later ones read, write and delete), with its recorded method,
path, headers and body; the not-replayed ones too, so that the sandbox goes
through the same steps as the recorded server, but their answers are not checked
against the recording: :func:`failures_of_not_replayed` asserts that each of them
still fails the checks, so ``not_replayed`` cannot hold a recording the sandbox
has learnt to answer, and a NOT_EXACT entry must really differ.

Checks, per recording (:func:`check`):

* the HTTP status is equal, and so is the kind of body (JSON or not); a non-JSON
  body is equal byte for byte (unless the recording is in ``not_exact``: then the
  ``Content-Type`` is equal); a ``WWW-Authenticate`` header is there when it was;
* a binary body (recorded as its first 200 bytes, ``body_length`` and
  ``body_sha256``) has the recorded ``Content-Type``, ``Content-Disposition`` and
  first bytes (the file's magic number); unless in ``not_exact``, the same length,
  SHA-256 and first 200 bytes;
* a JSON body has the same top-level keys; a JSON-RPC ``result`` has the same
  JSON type as recorded and, for lists and objects, recursively the same keys and
  value types; a top-level list has the same length. ``false`` is compatible with
  any type (Odoo's empty value: a many2one may be ``false`` on one side and
  ``[id, name]`` on the other); ids and texts may differ; an empty nested list is
  compatible with any list;
* an error has the same ``error.code`` and ``error.data.name`` (JSON-RPC), or the
  same ``name`` (JSON-2 bare error body), and the same keys;
* unless the recording is in ``not_exact``: the same body, apart from the
  ``debug`` traceback.

The one adaptation of a request: the web-session recordings carry the
``session_id`` cookie of the recorded server; the replay sends the cookie the
sandbox itself set at the last ``/web/session/authenticate`` instead.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

from odoo_restful.sandbox import Sandbox


def find_shared(folder: str, env_var: str) -> Path:
    """``$env_var`` if set, else ``shared/<folder>`` beside the checkout or one of its parents."""
    env = os.environ.get(env_var)
    if env:
        return Path(env)
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / folder
        if candidate.is_dir():
            return candidate
    return Path(__file__).resolve().parents[2] / "shared" / folder


class Outcome:
    def __init__(self, recording: dict[str, Any], reply: tuple[int, dict[str, str], bytes]):
        self.recording = recording
        self.status, self.headers, self.body = reply


@dataclass(frozen=True)
class WireFolder:
    """One folder of recordings and what the sandbox is known not to reproduce."""

    folder: str
    env_var: str
    count: int
    recorded_at: datetime
    not_replayed: dict[str, str] = field(default_factory=dict)
    not_exact: dict[str, str] = field(default_factory=dict)
    #: Request adaptations beyond the session cookie: name -> new ``body_raw``.
    adapted_bodies: dict[str, str] = field(default_factory=dict)
    #: The Odoo version the recordings were made with (the sandbox profile replayed).
    odoo_version: int = 19
    #: Database names of the recordings, served as aliases of the sandbox's database.
    databases: tuple[str, ...] = ("demo",)

    @cached_property
    def path(self) -> Path:
        return find_shared(self.folder, self.env_var)

    def index(self) -> list[str]:
        if not self.path.is_dir():
            pytest.fail(
                f"Odoo wire recordings not found at {self.path}: set {self.env_var} or check "
                f"out the shared recordings next to the repository (../shared/{self.folder})",
                pytrace=False,
            )
        with (self.path / "_index.json").open(encoding="utf-8") as fh:
            return [entry["file"] for entry in json.load(fh)]

    def index_or_empty(self) -> list[str]:
        """The index for parametrising tests (a placeholder when the folder is missing)."""
        try:
            with (self.path / "_index.json").open(encoding="utf-8") as fh:
                return [entry["file"] for entry in json.load(fh)]
        except OSError:
            return ["<recordings missing>"]

    def replayed_names(self) -> list[str]:
        return [name for name in self.index_or_empty() if name not in self.not_replayed]

    def load(self, name: str) -> dict[str, Any]:
        with (self.path / name).open(encoding="utf-8") as fh:
            recording: dict[str, Any] = json.load(fh)
        return recording

    def replay(self) -> dict[str, Outcome]:
        """Send every recording once, in order, to one fresh sandbox."""
        recorded_at = self.recorded_at
        sandbox = Sandbox(
            now=lambda: recorded_at, odoo_version=self.odoo_version, aliases=self.databases
        )
        outcomes: dict[str, Outcome] = {}
        session_cookie: str | None = None
        for name in self.index():
            recording = self.load(name)
            request = recording["request"]
            headers = dict(request["headers"])
            if session_cookie and "Cookie" in headers:
                headers["Cookie"] = f"session_id={session_cookie}"
            raw = self.adapted_bodies.get(name, request["body_raw"] or "")
            path = request["path"]
            if "?" not in path and "?" in request.get("url", ""):
                path += "?" + request["url"].split("?", 1)[1]
            reply = sandbox.handle(request["method"], path, headers, raw.encode("utf-8"))
            cookie = reply[1].get("set-cookie")
            if cookie and request["path"] == "/web/session/authenticate":
                session_cookie = cookie.split(";", 1)[0].split("=", 1)[1]
            outcomes[name] = Outcome(recording, reply)
        return outcomes

    # --- the tests every folder runs ---

    def check_present(self) -> None:
        names = self.index()
        assert len(names) == self.count, f"expected {self.count} recordings, found {len(names)}"
        on_disk = {p.name for p in self.path.glob("*.json")} - {"_index.json"}
        assert set(names) == on_disk

    def check_lists(self) -> None:
        names = set(self.index())
        assert set(self.not_replayed) <= names, sorted(set(self.not_replayed) - names)
        assert set(self.not_exact) <= names - set(self.not_replayed)
        assert set(self.adapted_bodies) <= names
        assert all(
            reason.strip() for reason in (*self.not_replayed.values(), *self.not_exact.values())
        )

    def check_not_replayed_still_fail(self, outcomes: dict[str, Outcome]) -> None:
        """Each NOT_REPLAYED recording still fails; each NOT_EXACT one really differs."""
        answered = []
        for name in self.not_replayed:
            try:
                check(outcomes[name], exact=True)
            except AssertionError:
                continue
            answered.append(name)
        assert not answered, (
            f"the sandbox now answers these, take them out of NOT_REPLAYED: {answered}"
        )
        same = [name for name in self.not_exact if _exact(outcomes[name])]
        assert not same, (
            f"the sandbox now answers these exactly, take them out of NOT_EXACT: {same}"
        )


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


def without_debug(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_debug(v) for k, v in value.items() if k != "debug"}
    if isinstance(value, list):
        return [without_debug(v) for v in value]
    return value


def _header(headers: dict[str, str], name: str) -> str | None:
    """A header of a recording (Odoo's capitalisation) or of a reply (lower case)."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def _is_binary(recorded: dict[str, Any]) -> bool:
    return "body_sha256" in recorded


def _binary_exact(outcome: Outcome) -> bool:
    recorded = outcome.recording["response"]
    return (
        len(outcome.body) == recorded["body_length"]
        and hashlib.sha256(outcome.body).hexdigest() == recorded["body_sha256"]
        and outcome.body[:200] == recorded["body_raw"].encode("latin-1")
    )


def _check_binary(outcome: Outcome, *, exact: bool) -> None:
    recorded = outcome.recording["response"]
    for name in ("Content-Type", "Content-Disposition"):
        assert _header(outcome.headers, name) == _header(recorded["headers"], name), name
    magic = recorded["body_raw"].encode("latin-1")[:4]
    assert outcome.body.startswith(magic), f"body starts {outcome.body[:8]!r}, recorded {magic!r}"
    if exact:
        assert _binary_exact(outcome), (
            f"{len(outcome.body)} bytes, recorded {recorded['body_length']} (sha256 differs)"
        )


def _exact(outcome: Outcome) -> bool:
    recorded = outcome.recording["response"]
    if _is_binary(recorded):
        return _binary_exact(outcome)
    if not _is_json(outcome.headers) or not _is_json(recorded["headers"]):
        return outcome.body == (recorded["body_raw"] or "").encode("utf-8")
    return without_debug(json.loads(outcome.body)) == without_debug(recorded["body"])


def check(outcome: Outcome, *, exact: bool) -> None:
    """The checks of the module docstring; AssertionError on the first difference."""
    recorded = outcome.recording["response"]
    assert outcome.status == recorded["status"], outcome.body[:500]
    assert _is_json(outcome.headers) == _is_json(recorded["headers"])
    if "WWW-Authenticate" in recorded["headers"]:
        assert outcome.headers.get("www-authenticate") == recorded["headers"]["WWW-Authenticate"]
    if "Location" in recorded["headers"]:
        assert outcome.headers.get("location") == recorded["headers"]["Location"]
    if _is_binary(recorded):
        _check_binary(outcome, exact=exact)
        return
    if not _is_json(recorded["headers"]):
        if exact:
            assert outcome.body == recorded["body_raw"].encode("utf-8")
        else:
            type_ = _header(recorded["headers"], "Content-Type")
            assert _header(outcome.headers, "Content-Type") == type_
        return
    expected = recorded["body"]
    got = json.loads(outcome.body)
    if isinstance(expected, dict) and "jsonrpc" in expected:
        assert set(got) == set(expected)
        if "error" in expected:
            assert got["error"]["code"] == expected["error"]["code"]
            assert got["error"]["data"]["name"] == expected["error"]["data"]["name"]
            assert set(got["error"]["data"]) == set(expected["error"]["data"])
        elif "result" in expected:
            assert_compatible(expected["result"], got["result"])
    elif recorded["status"] >= 400:
        assert got["name"] == expected["name"]
        assert set(got) == set(expected)
    else:
        assert_compatible(expected, got)
    if exact:
        assert without_debug(got) == without_debug(expected)


def check_debug_is_fake(outcomes: dict[str, Outcome], at_least: int) -> None:
    """Errors carry a ``debug`` text, never a real traceback with server paths."""
    seen = 0
    for outcome in outcomes.values():
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
    assert seen >= at_least


def contract_tests(folder: WireFolder, *, debug_at_least: int) -> dict[str, Any]:
    """The tests every recordings folder gets, bound to ``folder``: a test module takes
    them with ``globals().update(contract_tests(WIRE, ...))`` (one copy, three folders)."""

    @pytest.fixture(scope="module")
    def replay() -> dict[str, Outcome]:
        return folder.replay()

    def test_recordings_present() -> None:
        folder.check_present()

    def test_lists_name_recordings() -> None:
        folder.check_lists()

    def test_not_replayed_and_not_exact_are_exact(replay: dict[str, Outcome]) -> None:
        folder.check_not_replayed_still_fail(replay)

    @pytest.mark.parametrize("name", folder.replayed_names())
    def test_replay(name: str, replay: dict[str, Outcome]) -> None:
        check(replay[name], exact=name not in folder.not_exact)

    def test_debug_is_a_short_fake_traceback(replay: dict[str, Outcome]) -> None:
        check_debug_is_fake(replay, at_least=debug_at_least)

    return {
        "replay": replay,
        "test_recordings_present": test_recordings_present,
        "test_lists_name_recordings": test_lists_name_recordings,
        "test_not_replayed_and_not_exact_are_exact": test_not_replayed_and_not_exact_are_exact,
        "test_replay": test_replay,
        "test_debug_is_a_short_fake_traceback": test_debug_is_a_short_fake_traceback,
    }
