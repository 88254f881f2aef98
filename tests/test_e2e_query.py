"""Query power (issue #12, part 1), end to end on every protocol: model-level method
calls, totals, Link headers and keyset cursors, batch writes and deletes, upserts."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import requests

from .conftest import Target
from .test_e2e_api import api, assert_error


def scoped(target: Target, **scopes: Any) -> requests.Session:
    resp = requests.post(
        api(target, "auth/token"),
        json={"login": target.login, "password": target.password, "db": target.db, **scopes},
    )
    assert resp.status_code == 200, resp.text
    return target.session(resp.json()["access_token"])


def partners(s: requests.Session, target: Target, names: list[str], **vals: Any) -> list[int]:
    resp = s.post(api(target, "res.partner"), json=[{"name": n, **vals} for n in names])
    assert resp.status_code == 201, resp.text
    return [r["id"] for r in resp.json()["data"]]


def tag() -> str:
    return "q" + uuid.uuid4().hex[:8]


# --- 1. model-level methods -----------------------------------------------------


def test_model_method_name_search(target: Target, admin: requests.Session) -> None:
    t = tag()
    ids = partners(admin, target, [f"{t} alpha", f"{t} beta"])
    resp = admin.post(api(target, "res.partner/name_search"), json={"args": [t], "kwargs": {}})
    assert resp.status_code == 200, resp.text
    found = resp.json()["data"]
    assert sorted(i for i, _name in found) == sorted(ids)
    resp = admin.post(
        api(target, "res.partner/name_search"), json={"kwargs": {"name": t, "limit": 1}}
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["count"] == 1


def test_model_method_search_count_and_default_get(target: Target, admin: requests.Session) -> None:
    t = tag()
    partners(admin, target, [f"{t} 1", f"{t} 2", f"{t} 3"])
    resp = admin.post(
        api(target, "res.partner/search_count"), json={"args": [[["name", "like", t]]]}
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"] == 3
    resp = admin.post(api(target, "res.partner/default_get"), json={"args": [["active", "name"]]})
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"].get("active") is True


def test_record_method_on_the_model_route_takes_ids_first(
    target: Target, admin: requests.Session
) -> None:
    resp = admin.post(api(target, "sale.order/has_access"), json={"args": [[], "read"]})
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"] is True
    body = assert_error(
        admin.post(api(target, "res.partner/exists"), json={}), 422, "invalid_parameters"
    )
    assert "record method" in body["message"]


def test_model_method_on_a_record_is_a_clear_422(target: Target, admin: requests.Session) -> None:
    body = assert_error(
        admin.post(api(target, "res.partner/1/name_search"), json={"args": ["x"]}),
        422,
        "invalid_parameters",
    )
    assert "POST /api/res.partner/name_search" in body["message"]


def test_missing_model_method_is_404(target: Target, admin: requests.Session) -> None:
    assert_error(
        admin.post(api(target, "res.partner/no_such_method"), json={}), 404, "unknown_method"
    )


def test_denied_and_private_model_methods(target: Target, admin: requests.Session) -> None:
    assert_error(admin.post(api(target, "res.partner/sudo"), json={}), 403, "method_forbidden")
    assert_error(admin.post(api(target, "res.partner/unlink"), json={}), 403, "method_forbidden")
    resp = admin.post(api(target, "res.partner/_private"), json={})
    assert resp.status_code in (400, 403), resp.text


def test_post_on_a_record_id_is_405(target: Target, admin: requests.Session) -> None:
    assert_error(admin.post(api(target, "res.partner/1"), json={}), 405, "method_not_allowed")


def test_read_only_token_calls_read_methods_only(target: Target, admin: requests.Session) -> None:
    ro = scoped(target, read_only=True)
    resp = ro.post(api(target, "res.partner/search_count"), json={"args": [[]]})
    assert resp.status_code == 200, resp.text
    resp = ro.post(api(target, "res.partner/name_search"), json={"kwargs": {"name": "a"}})
    assert resp.status_code == 200, resp.text
    assert_error(
        ro.post(api(target, "res.partner/name_create"), json={"args": ["x"]}), 403, "scope_denied"
    )
    rid = partners(admin, target, [tag()])[0]
    assert_error(ro.post(api(target, f"res.partner/{rid}/copy"), json={}), 403, "scope_denied")
    resp = ro.post(api(target, f"res.partner/{rid}/read"), json={"args": [["name"]]})
    assert resp.status_code == 200, resp.text
    scoped_methods = scoped(target, methods=["search_count"])
    assert_error(
        scoped_methods.post(api(target, "res.partner/name_search"), json={}), 403, "scope_denied"
    )


# --- 2. totals, Link headers, cursors --------------------------------------------


def _links(resp: requests.Response) -> dict[str, str]:
    return {rel: link["url"] for rel, link in resp.links.items()}


def test_total_and_link_headers(target: Target, admin: requests.Session) -> None:
    t = tag()
    partners(admin, target, [f"{t} {i}" for i in range(5)])
    query = {"domain": f'[["name", "like", "{t}"]]', "limit": 2, "order": "name"}
    resp = admin.get(api(target, "res.partner"), params={**query, "total": "true"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["count"] == 2 and body["total"] == 5
    links = _links(resp)
    assert set(links) == {"next", "first"}
    assert "offset=2" in links["next"] and "access_token" not in links["next"]
    seen = [r["name"] for r in body["data"]]
    resp = admin.get(links["next"])
    assert resp.json()["total"] == 5
    seen += [r["name"] for r in resp.json()["data"]]
    links = _links(resp)
    assert set(links) == {"next", "prev", "first"}
    resp = admin.get(links["next"])
    seen += [r["name"] for r in resp.json()["data"]]
    assert seen == [f"{t} {i}" for i in range(5)]
    assert "next" not in _links(resp) and "next" not in resp.json()
    resp = admin.get(api(target, "res.partner"), params=query)
    assert "total" not in resp.json()


def _walk(
    s: requests.Session,
    target: Target,
    query: dict[str, Any],
    between: list[Any],
) -> list[dict[str, Any]]:
    """Every page of a cursor walk; ``between[i]`` runs after page i."""
    resp = s.get(api(target, "res.partner"), params={**query, "cursor": "true"})
    records: list[dict[str, Any]] = []
    page = 0
    while True:
        assert resp.status_code == 200, resp.text
        body = resp.json()
        records += body["data"]
        if page < len(between):
            between[page]()
        page += 1
        if "next" not in body:
            assert "next" not in _links(resp)
            return records
        assert _links(resp)["next"]
        resp = s.get(api(target, "res.partner"), params={**query, "after": body["next"]})


def test_cursor_never_skips_or_repeats_while_records_change(
    target: Target, admin: requests.Session
) -> None:
    for order in ("name desc", "name asc", "ref desc, name", "id desc"):
        t = tag()
        ids = partners(admin, target, [f"{t} {i:02d}" for i in range(7)], ref="r")
        query = {"domain": f'[["name", "like", "{t}"]]', "limit": 3, "order": order}

        def insert(t: str = t) -> None:
            partners(admin, target, [f"{t} 00a", f"{t} 99"], ref="r")

        def delete(ids: list[int] = ids) -> None:
            resp = admin.delete(api(target, "res.partner"), params={"ids": f"{ids[5]}"})
            assert resp.status_code == 200, resp.text

        records = _walk(admin, target, query, [insert, delete])
        got = [r["id"] for r in records]
        assert len(got) == len(set(got)), (order, got)
        # every record there from start to end is seen exactly once
        assert set(ids) - {ids[5]} <= set(got), (order, got)
        reference = admin.get(api(target, "res.partner"), params={**query, "limit": 100})
        expected = [r["id"] for r in reference.json()["data"]]
        assert [i for i in got if i in expected] == [i for i in expected if i in got], order


def test_cursor_is_opaque_signed_and_bound(target: Target, admin: requests.Session) -> None:
    t = tag()
    partners(admin, target, [f"{t} {i}" for i in range(3)])
    query = {"domain": f'[["name", "like", "{t}"]]', "limit": 1, "order": "name"}
    resp = admin.get(api(target, "res.partner"), params={**query, "cursor": "1"})
    cursor = resp.json()["next"]
    _body, _, mac = cursor.partition(".")
    forged = base64.urlsafe_b64encode(b'{"b":"x","k":["z",1]}').decode().rstrip("=")
    assert_error(
        admin.get(api(target, "res.partner"), params={**query, "after": f"{forged}.{mac}"}),
        400,
        "bad_request",
    )
    other = {**query, "domain": "[]"}
    assert_error(admin.get(api(target, "res.partner"), params={**other, "after": cursor}), 400)
    assert_error(admin.get(api(target, "res.partner"), params={**query, "after": "garbage!"}), 400)
    assert_error(
        admin.get(api(target, "res.partner"), params={**query, "after": cursor, "offset": 1}),
        400,
    )
    # a many2one orders by its co-model's order; write_date is read in whole seconds
    for order in ("country_id", "write_date, id"):
        assert_error(
            admin.get(
                api(target, "res.partner"), params={**query, "order": order, "cursor": "true"}
            ),
            400,
        )


# --- 6. batch writes and deletes, upsert -------------------------------------------


def test_batch_write_and_delete(target: Target, admin: requests.Session) -> None:
    t = tag()
    ids = partners(admin, target, [f"{t} {i}" for i in range(3)])
    resp = admin.patch(
        api(target, "res.partner"),
        params={"ids": ",".join(map(str, ids)), "fields": "name,ref"},
        json={"ref": t},
    )
    assert resp.status_code == 200, resp.text
    assert [r["ref"] for r in resp.json()["data"]] == [t] * 3
    resp = admin.delete(api(target, "res.partner"), params={"ids": f"{ids[0]},{ids[1]}"})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "count": 2,
        "data": [{"id": ids[0], "deleted": True}, {"id": ids[1], "deleted": True}],
    }
    left = admin.get(api(target, "res.partner"), params={"domain": f'[["ref", "=", "{t}"]]'})
    assert [r["id"] for r in left.json()["data"]] == [ids[2]]
    assert_error(admin.delete(api(target, "res.partner")), 400, "bad_request")
    assert_error(admin.patch(api(target, "res.partner"), json={"ref": "x"}), 400, "bad_request")


def test_batch_delete_is_one_transaction(target: Target, admin: requests.Session) -> None:
    rid = partners(admin, target, [tag()])[0]
    resp = admin.delete(api(target, "res.partner"), params={"ids": f"{rid},999999"})
    assert resp.status_code in (403, 404, 422), resp.text
    assert admin.get(api(target, f"res.partner/{rid}")).status_code == 200


def test_read_only_token_may_not_batch(target: Target) -> None:
    ro = scoped(target, read_only=True)
    assert_error(ro.delete(api(target, "res.partner"), params={"ids": "1"}), 403, "scope_denied")
    assert_error(
        ro.patch(api(target, "res.partner"), params={"ids": "1"}, json={"ref": "x"}),
        403,
        "scope_denied",
    )


def test_upsert_by_natural_key(target: Target, admin: requests.Session) -> None:
    ref = tag()
    url = api(target, "res.partner")
    resp = admin.post(url, params={"upsert": "ref"}, json={"ref": ref, "name": "first"})
    assert resp.status_code == 201, resp.text
    rid = resp.json()["data"][0]["id"]
    resp = admin.post(url, params={"upsert": "ref"}, json={"ref": ref, "name": "second"})
    assert resp.status_code == 200, resp.text
    assert [(r["id"], r["name"]) for r in resp.json()["data"]] == [(rid, "second")]
    other = tag()
    resp = admin.post(
        url,
        params={"upsert": "ref,name"},
        json=[{"ref": ref, "name": "second", "email": "a@b.c"}, {"ref": other, "name": "n"}],
    )
    assert resp.status_code == 201, resp.text
    data = resp.json()["data"]
    assert data[0]["id"] == rid and data[0]["email"] == "a@b.c" and data[1]["id"] != rid
    partners(admin, target, ["dup"], ref=ref)
    body = assert_error(
        admin.post(url, params={"upsert": "ref"}, json={"ref": ref, "name": "x"}), 409, "conflict"
    )
    assert str(rid) in body["message"]
    assert_error(admin.post(url, params={"upsert": "ref"}, json={"name": "no key"}), 400)
    assert_error(
        admin.post(url, params={"upsert": "ref"}, json=[{"ref": other}, {"ref": other}]), 400
    )


# --- 5. external ids --------------------------------------------------------------


def test_external_id_in_the_path(target: Target, admin: requests.Session) -> None:
    resp = admin.get(
        api(target, "res.partner/base.main_partner"), params={"fields": "name,__xmlid"}
    )
    assert resp.status_code == 200, resp.text
    (record,) = resp.json()["data"]
    assert record["__xmlid"] == "base.main_partner"
    assert set(record) == {"id", "name", "__xmlid"}
    assert_error(admin.get(api(target, "res.partner/base.no_such_thing")), 404)
    body = assert_error(
        admin.get(api(target, "res.partner/base.main_company")), 422, "invalid_parameters"
    )
    assert "res.company" in body["message"]
    resp = admin.post(api(target, "res.partner/base.main_partner/read"), json={"args": [["name"]]})
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"][0]["id"] == record["id"]
    assert_error(admin.post(api(target, "res.partner/base.main_partner"), json={}), 405)


def test_external_ids_in_domains_and_fields(target: Target, admin: requests.Session) -> None:
    domain = '[["id", "in", ["base.main_partner", "base.partner_admin"]]]'
    resp = admin.get(
        api(target, "res.partner"), params={"domain": domain, "fields": "__xmlid", "order": "id"}
    )
    assert resp.status_code == 200, resp.text
    xmlids = [r["__xmlid"] for r in resp.json()["data"]]
    assert xmlids == ["base.main_partner", "base.partner_admin"]
    assert set(resp.json()["data"][0]) == {"id", "__xmlid"}
    rid = partners(admin, target, [tag()])[0]
    resp = admin.get(
        api(target, "res.partner"),
        params={"domain": f'[["id", "=", {rid}]]', "fields": "name,__xmlid"},
    )
    assert resp.json()["data"][0]["__xmlid"] is None
    assert_error(
        admin.get(
            api(target, "res.partner"), params={"domain": '[["id","=","base.main_company"]]'}
        ),
        422,
    )
    assert_error(
        admin.get(api(target, "res.partner"), params={"domain": '[["id","=","base.nope_nope"]]'}),
        422,
    )


def test_external_ids_in_values(target: Target, admin: requests.Session) -> None:
    url = api(target, "res.partner")
    resp = admin.post(
        url,
        params={"fields": "country_id,parent_id,__xmlid"},
        json={"name": tag(), "country_id": "base.be", "parent_id": {"id": "base.main_partner"}},
    )
    assert resp.status_code == 201, resp.text
    record = resp.json()["data"][0]
    main = admin.get(api(target, "res.partner/base.main_partner")).json()["data"][0]
    assert record["parent_id"][0] == main["id"] and record["country_id"][0] > 0
    assert record["__xmlid"] is None
    be = admin.get(
        api(target, "res.country"), params={"domain": '[["code", "=", "BE"]]', "fields": "id"}
    )
    assert record["country_id"][0] == be.json()["data"][0]["id"]
    body = assert_error(
        admin.post(url, json={"name": "x", "category_id": ["base.main_partner"]}), 422
    )
    assert "category_id" in body["message"] and "res.partner" in body["message"]
    assert_error(admin.post(url, json={"name": "x", "country_id": "base.nope_nope"}), 422)
    resp = admin.patch(url, params={"ids": f"base.partner_admin,{record['id']}"}, json={"ref": "x"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["count"] == 2


def test_external_ids_for_an_ordinary_user(target: Target) -> None:
    login, secret = target.users["sales"]
    s = target.session(target.token(login, secret))
    resp = s.get(api(target, "res.partner/base.main_partner"), params={"fields": "name,__xmlid"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"][0]["__xmlid"] == "base.main_partner"


def test_upsert_keys_by_external_id_and_refuses_bad_keys(
    target: Target, admin: requests.Session
) -> None:
    url = api(target, "res.partner")
    ref = tag()
    item = {"ref": ref, "country_id": "base.be", "name": "by country"}
    first = admin.post(url, params={"upsert": "ref,country_id"}, json=item)
    assert first.status_code == 201, first.text
    again = admin.post(url, params={"upsert": "ref,country_id"}, json={**item, "name": "2"})
    assert again.status_code == 200, again.text
    assert again.json()["data"][0]["id"] == first.json()["data"][0]["id"]
    assert_error(admin.post(url, params={"upsert": "category_id"}, json={"category_id": 1}), 400)
    assert_error(admin.post(url, params={"upsert": "nope"}, json={"nope": 1}), 400)
    ro = scoped(target, read_only=True)
    assert_error(ro.post(url, params={"upsert": "ref"}, json={"ref": ref}), 403, "scope_denied")
