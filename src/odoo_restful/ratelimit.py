"""A brute-force guard for the token endpoint: failed logins per client address and per login.

In memory, per process: enough for one gateway; replicas each keep their own
count, which still caps an attacker at (replicas x limit) tries per window.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque

from .errors import TooManyRequests


class FailureLimiter:
    def __init__(self, *, limit: int, window: float, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self._max_keys = max_keys
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

    def check(self, key: str) -> None:
        """Raise 429 (with Retry-After) while ``key`` has used up its failures."""
        now = time.monotonic()
        times = self._recent(key, now)
        if times is not None and len(times) >= self.limit:
            retry = max(1, math.ceil(times[0] + self.window - now))
            raise TooManyRequests(
                "too many failed logins; try again later",
                headers={"Retry-After": str(retry)},
            )

    def failed(self, key: str) -> None:
        now = time.monotonic()
        times = self._recent(key, now)
        if times is None:
            times = deque()
            self._failures[key] = times
            if len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)
        times.append(now)
        self._failures.move_to_end(key)
