"""The change feed and the deleted-ids check, end to end over every protocol.

The sandbox's clock is held still by the tests, so "the same second" is certain:
Odoo's ``write_date`` has whole-second granularity, and a change stamped with the
second (or an earlier one) of a cursor must still reach the reader.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from odoo_restful.app import create_app
from odoo_restful.errors import BadRequest
from odoo_restful.feed.position import Position, settle
from odoo_restful.sandbox import Sandbox

from .conftest import PROTOCOLS, SANDBOX_KEYS, gateway_settings
from .servers import serve_in_thread

MODEL = "res.partner"
_tags = itertools.count(1)


class Clock:
    """The sandbox's clock: real time, or held at a second the test chooses."""

    def __init__(self) -> None:
        self.held: datetime | None = None

    def __call__(self) -> datetime:
        return self.held or datetime.now(UTC).replace(tzinfo=None)

    def hold(self, seconds: int = 0) -> None:
        """Stop at the current second (plus ``seconds``), as a slow transaction would."""
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        self.held = now + timedelta(seconds=seconds)


class Feed:
    def __init__(self, url: str, session: requests.Session, clock: Clock) -> None:
        self.url = url
        self.s = session
        self.clock = clock

    def create(self, name: str) -> int:
        resp = self.s.post(f"{self.url}/api/{MODEL}", json={"name": name})
        assert resp.status_code == 201, resp.text
        rid: int = resp.json()["data"][0]["id"]
        return rid

    def write(self, rid: int, **vals: Any) -> None:
        resp = self.s.patch(f"{self.url}/api/{MODEL}/{rid}", json=vals)
        assert resp.status_code == 200, resp.text

    def poll(self, tag: str, since: str | None = None, **extra: Any) -> dict[str, Any]:
        query: dict[str, Any] = {
            "domain": f'[["name", "ilike", "{tag}"]]',
            "fields": "name",
            **extra,
        }
        if since:
            query["since"] = since
        resp = self.s.get(f"{self.url}/api/{MODEL}/changes", params=query)
        assert resp.status_code == 200, resp.text
        body: dict[str, Any] = resp.json()
        return body

    def drain(self, tag: str, since: str | None = None, **extra: Any) -> tuple[list[Any], str]:
        """Follow the feed until a page is not full: every record sent, and the cursor."""
        records: list[Any] = []
        for _ in range(50):
            page = self.poll(tag, since, **extra)
            records.extend(page["data"])
            since = page["next"]
            if not page["more"]:
                return records, since
        raise AssertionError("the feed never caught up")


@pytest.fixture(scope="module", params=PROTOCOLS)
def feed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Feed]:
    clock = Clock()
    tmp = tmp_path_factory.mktemp("feed")
    secret = SANDBOX_KEYS["admin"] if request.param == "json2" else "admin"
    with serve_in_thread(Sandbox(now=clock).asgi) as odoo_url:
        # a window wide enough for a slow, shared test machine (default: 2 s)
        settings = gateway_settings(
            tmp, odoo_url=odoo_url, db="sandbox", protocol=request.param, feed_window=10.0
        )
        with serve_in_thread(create_app(settings)) as url:
            resp = requests.post(
                url + "/api/auth/token",
                json={"login": "admin", "password": secret, "db": "sandbox"},
                timeout=30,
            )
            assert resp.status_code == 200, resp.text
            s = requests.Session()
            s.headers["access-token"] = resp.json()["access_token"]
            yield Feed(url, s, clock)
            clock.held = None


def _tag() -> str:
    return f"feedtag{next(_tags)}x"


def test_changes_come_oldest_first_with_a_cursor(feed: Feed) -> None:
    tag = _tag()
    feed.clock.hold()
    a = feed.create(f"{tag} a")
    b = feed.create(f"{tag} b")
    feed.clock.hold(1)
    c = feed.create(f"{tag} c")
    first = feed.poll(tag, limit=2)
    assert [r["id"] for r in first["data"]] == [a, b]
    assert first["more"] is True
    assert all(set(r) >= {"id", "name", "write_date", "active"} for r in first["data"])
    second = feed.poll(tag, first["next"], limit=2)
    assert [r["id"] for r in second["data"]] == [c]
    assert second["more"] is False
    stamps = [r["write_date"] for r in first["data"] + second["data"]]
    assert stamps == sorted(stamps)


def test_a_write_in_the_cursors_second_is_not_skipped(feed: Feed) -> None:
    tag = _tag()
    feed.clock.hold()
    low = feed.create(f"{tag} low")
    high = feed.create(f"{tag} high")
    records, cursor = feed.drain(tag)
    assert [r["id"] for r in records] == [low, high]
    # same second as the cursor, smaller id: "after (write_date, id)" alone skips it
    feed.write(low, name=f"{tag} low again")
    records, cursor = feed.drain(tag, cursor)
    assert {r["id"]: r["name"] for r in records}[low] == f"{tag} low again"


def test_a_write_stamped_before_the_cursor_is_not_skipped(feed: Feed) -> None:
    """A transaction that began a second earlier and commits after the read."""
    tag = _tag()
    feed.clock.hold()
    early = feed.create(f"{tag} early")
    feed.clock.hold(1)
    feed.create(f"{tag} late")
    _, cursor = feed.drain(tag)
    feed.clock.hold()
    feed.write(early, name=f"{tag} early again")
    records, _ = feed.drain(tag, cursor)
    assert f"{tag} early again" in [r["name"] for r in records]


def test_a_record_written_while_paging_appears(feed: Feed) -> None:
    tag = _tag()
    feed.clock.hold()
    ids = [feed.create(f"{tag} {n}") for n in range(5)]
    page = feed.poll(tag, limit=2)
    assert [r["id"] for r in page["data"]] == ids[:2]
    feed.write(ids[0], name=f"{tag} rewritten")  # already sent, same second
    seen, cursor = feed.drain(tag, page["next"], limit=2)
    again, _ = feed.drain(tag, cursor, limit=2)
    assert [r["id"] for r in seen] == ids[2:]  # no page was served twice on the way
    assert f"{tag} rewritten" in [r["name"] for r in again]


def test_archived_records_appear_marked(feed: Feed) -> None:
    tag = _tag()
    feed.clock.hold()
    rid = feed.create(f"{tag} archived")
    _, cursor = feed.drain(tag)
    feed.write(rid, active=False)
    records, _ = feed.drain(tag, cursor)
    assert [r["active"] for r in records if r["id"] == rid] == [False]


def test_deleted_ids_are_reported(feed: Feed) -> None:
    tag = _tag()
    kept, archived, gone = (feed.create(f"{tag} {n}") for n in range(3))
    feed.write(archived, active=False)
    resp = feed.s.delete(f"{feed.url}/api/{MODEL}/{gone}")
    assert resp.status_code == 200, resp.text
    ids = [kept, archived, gone]
    resp = feed.s.get(f"{feed.url}/api/{MODEL}/exists", params={"ids": ",".join(map(str, ids))})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"missing": [gone], "existing": [kept, archived]}
    resp = feed.s.get(f"{feed.url}/api/{MODEL}/exists", json={"ids": ids})  # a body works too
    assert resp.json() == {"missing": [gone], "existing": [kept, archived]}


def test_bad_and_foreign_cursors_are_400(feed: Feed) -> None:
    page = feed.poll(_tag())
    resp = feed.s.get(f"{feed.url}/api/{MODEL}/changes", params={"since": "forged"})
    assert resp.status_code == 400
    assert "since" in resp.json()["message"]
    resp = feed.s.get(f"{feed.url}/api/{MODEL}/changes", params={"since": page["next"]})
    assert resp.status_code == 400  # made for another domain
    resp = feed.s.get(f"{feed.url}/api/res.country/changes", params={"since": page["next"]})
    assert resp.status_code == 400  # made for another model
    resp = feed.s.get(f"{feed.url}/api/{MODEL}/exists", params={"ids": "1,x"})
    assert resp.status_code == 400
    # a search's paging and order do not apply: said, not silently ignored
    for name, value in (("offset", "10"), ("order", "name desc"), ("cursor", "true")):
        resp = feed.s.get(f"{feed.url}/api/{MODEL}/changes", params={name: value})
        assert resp.status_code == 400 and name in resp.json()["message"], (name, resp.text)


def _at(second: int) -> str:
    return f"2026-01-01 00:00:{second:02d}"


def test_a_full_page_moves_on_and_a_short_one_reads_the_window_again() -> None:
    start = Position()
    full = start.advance((_at(5), 7), full=True, read_at=_at(10), window=2)
    assert full == Position(_at(5), 7, _at(10))
    # caught up: back to two seconds before the run's first read, not the last one
    short = full.advance((_at(9), 3), full=False, read_at=_at(30), window=2)
    assert short == Position(_at(8), 0)
    # an old position stays where it is: nothing late can be stamped before it
    quiet = Position(_at(1), 4).advance(None, full=False, read_at=_at(20), window=2)
    assert quiet == Position(_at(1), 4)
    # Odoo keeps microseconds it does not show: a second is a range, never an equality
    assert Position(_at(1), 4).after() == [
        "|",
        ["write_date", ">=", _at(2)],
        "&",
        "&",
        ["write_date", ">=", _at(1)],
        ["write_date", "<", _at(2)],
        ["id", ">", 4],
    ]


def test_a_full_page_is_sent_up_to_its_last_second() -> None:
    """Inside a second Odoo orders by microseconds, not ids: a full page's last second
    may lack smaller ids, so it is left for the next page (or read again by id)."""
    keys = [(_at(1), 9), (_at(1), 10), (_at(2), 3), (_at(2), 8)]
    assert settle(keys, full=False) == (4, None)
    assert settle(keys, full=True) == (2, None)
    assert settle(keys[2:], full=True) == (0, _at(2))
    assert settle([], full=False) == (0, None)


def test_a_burst_bigger_than_a_page_comes_once_in_id_order(feed: Feed) -> None:
    tag = _tag()
    feed.clock.hold()
    ids = [feed.create(f"{tag} {n}") for n in range(5)]
    feed.clock.hold(1)
    later = feed.create(f"{tag} later")
    records, _ = feed.drain(tag, limit=2)
    assert [r["id"] for r in records] == [*ids, later]


@pytest.mark.parametrize(
    "values", [["2026-01-01", 1, None], [None, "1", None], [None, 0, 5], [_at(1), 1, "x"]]
)
def test_malformed_positions_are_refused(values: list[Any]) -> None:
    with pytest.raises(BadRequest):
        Position.from_values(values)


def test_a_feed_cursor_survives_secret_rotate(tmp_path: Path) -> None:
    """A client keeps its ``since`` cursor for days; ``secret rotate`` and a restart do
    not break it (the token does not either), while a retired secret's cursor is a 400."""
    from click.testing import CliRunner

    from odoo_restful.cli import main

    with serve_in_thread(Sandbox().asgi) as odoo_url:
        settings = gateway_settings(tmp_path, db="sandbox", odoo_url=odoo_url, protocol="jsonrpc")
        with serve_in_thread(create_app(settings)) as url:
            form = {"login": "admin", "password": "admin"}
            token = requests.post(f"{url}/api/auth/token", data=form).json()["access_token"]
            page = requests.get(
                f"{url}/api/{MODEL}/changes", headers={"access-token": token}
            ).json()
            since = page["next"]
        args = [
            "secret",
            "rotate",
            "--secret-file",
            settings.secret_file,
            "--store",
            settings.store,
        ]
        assert CliRunner().invoke(main, args).exit_code == 0
        with serve_in_thread(create_app(settings)) as url:
            resp = requests.get(
                f"{url}/api/{MODEL}/changes",
                params={"since": since},
                headers={"access-token": token},
            )
            assert resp.status_code == 200, resp.text
        key_file = Path(str(settings.secret_file))
        key_file.write_text(key_file.read_text().split()[0] + "\n")  # retire the old secret
        with serve_in_thread(create_app(settings)) as url:
            token = requests.post(f"{url}/api/auth/token", data=form).json()["access_token"]
            resp = requests.get(
                f"{url}/api/{MODEL}/changes",
                params={"since": since},
                headers={"access-token": token},
            )
            assert resp.status_code == 400, resp.text
