"""The failed-login guard: per client address and per login, on an injected clock."""

from __future__ import annotations

import pytest

from odoo_restful.errors import TooManyRequests
from odoo_restful.ratelimit import FailureLimiter, LoginGuard


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_refuses_past_the_limit_until_the_window_slides() -> None:
    clock = Clock()
    limiter = FailureLimiter(limit=3, window=60, clock=clock)
    for _ in range(3):
        limiter.reserve("k")
        clock.now += 10
    with pytest.raises(TooManyRequests) as info:
        limiter.reserve("k")
    # the oldest attempt (at 1000) leaves the window at 1060; now is 1030
    assert info.value.headers == {"Retry-After": "30"}
    limiter.reserve("other")  # keys are counted apart
    clock.now = 1060.0
    limiter.reserve("k")  # the first attempt has left the window
    with pytest.raises(TooManyRequests):
        limiter.reserve("k")


def test_limiter_forgives_a_reservation() -> None:
    limiter = FailureLimiter(limit=2, window=60, clock=Clock())
    limiter.forgive("k", 1.0)  # nothing reserved: no effect
    stamp = limiter.reserve("k")
    limiter.forgive("k", stamp)
    limiter.forgive("k", stamp)  # twice: no effect
    limiter.reserve("k")
    limiter.reserve("k")
    with pytest.raises(TooManyRequests):
        limiter.reserve("k")


def test_limiter_forgets_the_oldest_key_past_max_keys() -> None:
    limiter = FailureLimiter(limit=1, window=60, max_keys=2, clock=Clock())
    limiter.reserve("a")
    limiter.reserve("b")
    limiter.reserve("c")  # "a" is dropped to bound memory
    limiter.reserve("a")
    with pytest.raises(TooManyRequests):
        limiter.reserve("c")


def test_one_client_trying_many_logins_is_stopped() -> None:
    """The per-client limit: a client spraying passwords over many logins."""
    guard = LoginGuard(per_client=5, per_login=100, window=300, clock=Clock())
    for i in range(5):
        guard.reserve("198.51.100.7", f"user{i}")
    with pytest.raises(TooManyRequests):
        guard.reserve("198.51.100.7", "someone-new")
    guard.reserve("203.0.113.9", "someone-new")  # another client is not held back


def test_many_clients_trying_one_login_are_stopped() -> None:
    """The per-login limit: one account attacked from many addresses (any case)."""
    guard = LoginGuard(per_client=100, per_login=3, window=300, clock=Clock())
    for i in range(3):
        guard.reserve(f"198.51.100.{i}", "Admin" if i % 2 else "admin")
    with pytest.raises(TooManyRequests):
        guard.reserve("198.51.100.99", "ADMIN")
    guard.reserve("198.51.100.99", "demo")  # the client's own budget was given back


def test_a_successful_login_is_forgiven_by_both_limits() -> None:
    guard = LoginGuard(per_client=2, per_login=2, window=300, clock=Clock())
    for _ in range(10):
        guard.reserve("198.51.100.7", "admin")()
    guard.reserve("198.51.100.7", "admin")
    guard.reserve("198.51.100.7", "admin")
    with pytest.raises(TooManyRequests):
        guard.reserve("198.51.100.7", "admin")


def test_the_guard_lifts_after_its_window() -> None:
    clock = Clock()
    guard = LoginGuard(per_client=2, per_login=2, window=300, clock=clock)
    guard.reserve("198.51.100.7", "a")
    guard.reserve("198.51.100.7", "b")
    with pytest.raises(TooManyRequests) as info:
        guard.reserve("198.51.100.7", "c")
    assert info.value.headers == {"Retry-After": "300"}
    clock.now += 300
    guard.reserve("198.51.100.7", "c")
