"""``/api/webhooks``: a user's subscriptions, end to end over every protocol (deliveries:
``test_webhook_delivery.py``)."""

from __future__ import annotations

import requests

from .conftest import Target

PUBLIC = "https://93.184.215.14/hook"  # a literal public address: no DNS in tests


def test_a_user_manages_its_own_subscriptions(target: Target, admin: requests.Session) -> None:
    hooks = f"{target.url}/api/webhooks"
    resp = admin.post(
        hooks, json={"model": "res.partner", "url": PUBLIC, "events": ["created", "deleted"]}
    )
    assert resp.status_code == 201, resp.text
    made = resp.json()
    assert made["secret"].startswith("whsec_")
    assert made["events"] == ["created", "deleted"] and made["active"] is True
    assert made["status"] == "active"
    sub = f"{hooks}/{made['id']}"
    listed = admin.get(hooks).json()
    assert [s["id"] for s in listed["data"]] == [made["id"]]
    assert "secret" not in listed["data"][0]
    assert "secret" not in admin.get(sub).json()
    resp = admin.patch(sub, json={"active": False})
    assert resp.status_code == 200, resp.text
    assert resp.json()["active"] is False and resp.json()["status"] == "paused"
    resp = admin.patch(sub, json={"active": True})  # resumed with this token's credential
    assert resp.status_code == 200 and resp.json()["status"] == "active"
    assert admin.patch(sub, json={"url": "https://x"}).status_code == 400
    # another user neither sees nor touches it
    other = target.session(target.token(*target.users["sales"]))
    assert other.get(hooks).json()["data"] == []
    assert other.get(sub).status_code == 404
    assert other.delete(sub).status_code == 404
    assert admin.delete(sub).status_code == 200
    assert admin.get(sub).status_code == 404
    assert admin.get(hooks).json()["data"] == []


def test_bad_subscriptions_are_400(target: Target, admin: requests.Session) -> None:
    hooks = f"{target.url}/api/webhooks"
    cases = [
        {"model": "res.partner"},
        {"model": "res.partner", "url": "ftp://example.com/"},
        {"model": "res.partner", "url": PUBLIC, "events": ["exploded"]},
        {"model": "no such model", "url": PUBLIC},
        {"model": "res.partner", "url": "http://[zz/"},  # was a 500
    ]
    for body in cases:
        resp = admin.post(hooks, json=body)
        assert resp.status_code == 400, (body, resp.text)
    resp = admin.post(hooks, json={"model": "res.partner", "url": "http://127.0.0.1:9/"})
    assert resp.status_code == 400
    assert "--webhook-allow-private" in resp.json()["message"]
    assert admin.get(hooks).json()["data"] == []


def test_what_odoo_would_refuse_is_refused_at_subscription(
    target: Target, admin: requests.Session
) -> None:
    hooks = f"{target.url}/api/webhooks"
    base = {"model": "res.partner", "url": PUBLIC}
    # a typo must not silently subscribe to every event
    resp = admin.post(hooks, json={**base, "event": ["deleted"]})
    assert resp.status_code == 400 and "'event'" in resp.json()["message"], resp.text
    cases = [
        ({"fields": ["name", "no_such_field"]}, "no_such_field"),
        ({"domain": [["no_such_field", "=", 1]]}, "no_such_field"),
        ({"domain": [["id", "=", "base.no_such_record"]]}, "base.no_such_record"),
    ]
    for extra, named in cases:
        resp = admin.post(hooks, json={**base, **extra})
        assert resp.status_code == 422, (extra, resp.text)
        assert named in resp.json()["message"], resp.text
    assert admin.get(hooks).json()["data"] == []
    # a user who may not read the model is told so now, not by a subscription that
    # never delivers
    few = target.session(target.token(*target.users["nosales"]))
    resp = few.post(hooks, json={"model": "sale.order", "url": PUBLIC})
    assert resp.status_code == 403, resp.text
    assert few.get(hooks).json()["data"] == []
    resp = few.post(hooks, json={**base, "domain": [["name", "!=", False]], "fields": ["name"]})
    assert resp.status_code == 201, resp.text
    assert few.delete(f"{hooks}/{resp.json()['id']}").status_code == 200


def test_the_cap_per_user_is_a_clear_409(target: Target) -> None:
    hooks = f"{target.url}/api/webhooks"
    user = target.session(target.token(*target.users["sales"]))
    made: list[str] = []
    try:
        for _ in range(21):  # --webhook-max-per-user defaults to 20
            resp = user.post(hooks, json={"model": "res.partner", "url": PUBLIC})
            if resp.status_code != 201:
                break
            made.append(resp.json()["id"])
        assert len(made) == 20, resp.text
        assert resp.status_code == 409, resp.text
        assert resp.json()["type"] == "conflict" and "at most 20" in resp.json()["message"]
        assert user.get(hooks).json()["count"] == 20
    finally:
        for sub in made:
            user.delete(f"{hooks}/{sub}")
    resp = user.post(hooks, json={"model": "res.partner", "url": PUBLIC})
    assert resp.status_code == 201, resp.text  # room again once deleted
    assert user.delete(f"{hooks}/{resp.json()['id']}").status_code == 200
