"""Keyset cursors: order terms, the "after" domain (checked against the sandbox's
ordering, NULLs included), sealing, and Link headers."""

from __future__ import annotations

import pytest

from odoo_restful import paging
from odoo_restful.errors import BadRequest
from odoo_restful.sandbox import Sandbox

from .sandbox_fixtures import Client
from .test_sandbox_orm import NOW

FIELDS = {
    "name": {"type": "char", "store": True},
    "ref": {"type": "char", "store": True},
    "color": {"type": "integer", "store": True},
    "active": {"type": "boolean", "store": True},
    "country_id": {"type": "many2one", "store": True},
    "display_name": {"type": "char", "store": False},
    "write_date": {"type": "datetime", "store": True},
}


def test_order_terms_end_with_id_and_stop_there() -> None:
    terms = paging.order_terms("name desc, ref nulls first")
    assert [(t.field, t.descending, t.nulls_last) for t in terms] == [
        ("name", True, False),
        ("ref", False, False),
        ("id", False, True),
    ]
    assert [t.field for t in paging.order_terms("id desc, name")] == ["id"]
    assert [t.field for t in paging.order_terms(None)] == ["id"]
    assert paging.order_terms("ref nulls first")[0].sql() == "ref asc nulls first"
    assert paging.order_terms("ref desc")[0].sql() == "ref desc"


@pytest.mark.parametrize("order", ["country_id", "display_name", "nope", "write_date"])
def test_unkeyable_order_terms_are_refused(order: str) -> None:
    with pytest.raises(BadRequest):
        paging.keyed_terms(paging.order_terms(order), FIELDS)


ORDERS = [
    "ref",
    "ref desc",
    "ref nulls first",
    "ref desc nulls last",
    "name desc, ref",
    "ref desc, name desc",
    "active, ref",
    "active desc, name",
    "color desc, ref",
]


@pytest.mark.parametrize("order", ORDERS)
def test_after_domain_gives_exactly_the_records_after(order: str) -> None:
    client = Client(Sandbox(now=lambda: NOW))
    rows = [
        {"name": n, "ref": r, "active": a, "color": c}
        for n, r, a, c in [
            ("a", "x", True, 1),
            ("b", False, True, 2),
            ("a", "y", False, 0),
            ("c", False, False, 3),
            ("b", "x", True, 2),
            ("c", "z", True, 1),
            ("a", False, True, 5),
        ]
    ]
    for row in rows:
        row["name"] = "pg " + row["name"]
    client("res.partner", "create", rows)
    terms = paging.keyed_terms(paging.order_terms(order), FIELDS)
    sql = ", ".join(t.sql() for t in terms)
    base = [["name", "like", "pg "]]
    ctx = {"context": {"active_test": False}}
    fields = [t.field for t in terms]
    ordered = client("res.partner", "search_read", base, fields, order=sql, **ctx)
    assert len(ordered) == len(rows)
    for k, record in enumerate(ordered):
        after = paging.after_domain(terms, [record[f] for f in fields])
        ids = client("res.partner", "search", [*base, *after], order=sql, **ctx)
        assert ids == [r["id"] for r in ordered[k + 1 :]], (order, k)


def test_cursors_are_sealed_and_bound() -> None:
    cursors = paging.Cursors(b"k" * 32)
    binding = cursors.binding("db", 2, "res.partner", "id asc", [], None)
    cursor = cursors.seal(binding, ["a", 3])
    assert cursors.open(cursor, binding, 2) == ["a", 3]
    with pytest.raises(BadRequest):
        cursors.open(cursor, cursors.binding("db", 3, "res.partner", "id asc", [], None), 2)
    with pytest.raises(BadRequest):
        paging.Cursors(b"o" * 32).open(cursor, binding, 2)
    with pytest.raises(BadRequest):
        cursors.open(cursor[:-2] + "AA", binding, 2)
    with pytest.raises(BadRequest):
        cursors.open(cursor, binding, 3)
    for junk in ("", ".", "!!!.!!!", 5, "a" * 10_000):
        with pytest.raises(BadRequest):
            cursors.open(junk, binding, 2)


def test_cursors_survive_a_secret_rotation_and_not_a_retirement() -> None:
    """Sealed under the current secret; after ``secret rotate`` (a new secret first, the
    old one kept) the old cursor still opens, new ones are sealed under the new secret;
    once the old secret is retired its cursors are refused."""
    old, new = b"o" * 32, b"n" * 32
    binding = paging.Cursors.binding("db", 2, "res.partner", "changes", [], None)
    cursor = paging.Cursors(old).seal(binding, ["2026-01-01 00:00:00", 7])
    rotated = paging.Cursors(new, old)
    assert rotated.open(cursor, binding, 2) == ["2026-01-01 00:00:00", 7]
    fresh = rotated.seal(binding, ["2026-01-02 00:00:00", 8])
    assert paging.Cursors(new).open(fresh, binding, 2) == ["2026-01-02 00:00:00", 8]
    with pytest.raises(BadRequest, match="former key"):
        paging.Cursors(new).open(cursor, binding, 2)


def test_link_header_replaces_and_drops_parameters() -> None:
    header = paging.link_header(
        "http://h/api/x",
        "limit=2&offset=4&domain=%5B%5D&access%5Ftoken=secret",
        {"next": {"offset": "6"}, "first": {"offset": ""}, "c": {"after": "a+b/="}},
        drop=("access_token",),
    )
    assert header == (
        '<http://h/api/x?limit=2&domain=%5B%5D&offset=6>; rel="next", '
        '<http://h/api/x?limit=2&domain=%5B%5D>; rel="first", '
        '<http://h/api/x?limit=2&offset=4&domain=%5B%5D&after=a%2Bb%2F%3D>; rel="c"'
    )
