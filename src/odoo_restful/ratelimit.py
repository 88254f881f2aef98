"""A brute-force guard for the token endpoint: failed logins per client address and per login.

An attempt is counted *before* Odoo is asked (a reservation) and forgiven only when
the login succeeds, so attempts sent all at once count as much as attempts sent one
after another: the limit holds however they are timed.

In memory, per process.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from .errors import TooManyRequests


class FailureLimiter:
    def __init__(
        self,
        *,
        limit: int,
        window: float,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def reserve(self, key: str) -> float:
        """Count one attempt now, or raise 429 (with Retry-After) when none is left.

        Returns the reservation's time, which :meth:`forgive` takes back on success.
        """
        now = self._clock()
        times = self._recent(key, now)
        if times is not None and len(times) >= self.limit:
            retry = max(1, math.ceil(times[0] + self.window - now))
            raise TooManyRequests(
                "too many failed logins; try again later",
                headers={"Retry-After": str(retry)},
            )
        if times is None:
            times = deque()
            self._failures[key] = times
            if len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)
        times.append(now)
        self._failures.move_to_end(key)
        return now

    def forgive(self, key: str, stamp: float) -> None:
        """Take back a reservation: the attempt succeeded (or never reached Odoo)."""
        times = self._failures.get(key)
        if times is None:
            return
        try:
            times.remove(stamp)
        except ValueError:
            return
        if not times:
            del self._failures[key]


class LoginGuard:
    """Per client address and per login: reserve both before Odoo checks a password."""

    def __init__(
        self,
        *,
        per_client: int = 30,
        per_login: int = 10,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._by_client = FailureLimiter(limit=per_client, window=window, clock=clock)
        self._by_login = FailureLimiter(limit=per_login, window=window, clock=clock)

    def reserve(self, client: str, login: str) -> Callable[[], None]:
        """Count an attempt for both keys; returns the function that forgives it."""
        login_key = login.lower()
        client_stamp = self._by_client.reserve(client)
        try:
            login_stamp = self._by_login.reserve(login_key)
        except TooManyRequests:
            self._by_client.forgive(client, client_stamp)
            raise

        def forgive() -> None:
            self._by_client.forgive(client, client_stamp)
            self._by_login.forgive(login_key, login_stamp)

        return forgive
