"""Login throttling: at most `limit` failed sign-ins per `window` seconds, per client address and per
user name (known or not), after which sign-in is refused with "too many attempts, try again in N s".

Failures live behind `AttemptStore`: `MemoryAttempts` keeps them in this process (one process on SQLite);
`DatabaseAttempts` in the shared database (Postgres), so behind a load balancer every worker counts the
same failures and a guesser gains nothing by landing on another worker. Times are wall-clock seconds,
comparable across processes. A success clears the user name's count, not the address's: one good
account must not reset an address that guesses others.

Chainlit neither passes the request to the sign-in callback nor lets it choose the answer (an exception
there becomes a plain 401). So `LoginGuard`, a tiny ASGI middleware, puts an `Attempt` (the client's
address) in a context variable for the callback; when the callback marks it refused, the middleware
answers 429 with a Retry-After header in place of Chainlit's 401. Behind a reverse proxy, uvicorn takes
the address from X-Forwarded-For when the proxy is in FORWARDED_ALLOW_IPS (default 127.0.0.1).
"""

from __future__ import annotations

import contextvars
import json
import math
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT_LIMIT = 10
DEFAULT_WINDOW = 300.0


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many sign-in attempts. Try again in {retry_after} s.")
        self.retry_after = retry_after


class AttemptStore(Protocol):
    async def recent(self, key: str, since: float) -> list[float]:
        """The failure times for `key` at or after `since`, oldest first."""

    async def add(self, key: str, when: float) -> None: ...

    async def clear(self, key: str) -> None: ...


class MemoryAttempts:
    """Failure times per key in this process, bounded: at most `max_keys` keys (the least recently
    failed are forgotten first) and `keep` times per key."""

    def __init__(self, max_keys: int = 50_000, keep: int = 64):
        self._times: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_keys = max_keys
        self.keep = keep

    async def recent(self, key: str, since: float) -> list[float]:
        with self._lock:
            times = self._times.get(key)
            if not times:
                return []
            while times and times[0] < since:
                times.popleft()
            if not times:
                del self._times[key]
                return []
            return list(times)

    async def add(self, key: str, when: float) -> None:
        with self._lock:
            times = self._times.pop(key, None) or deque(maxlen=self.keep)
            times.append(when)
            self._times[key] = times
            while len(self._times) > self.max_keys:
                self._times.popitem(last=False)

    async def clear(self, key: str) -> None:
        with self._lock:
            self._times.pop(key, None)


class DatabaseAttempts:
    """Failure times per key in the `login_failures` table, shared by every worker on the database.
    Rows older than the window are deleted as keys are read; a read returns the latest `keep`. (A throttled
    key gains no rows: the throttle refuses before a password is checked, so nothing more is counted.)"""

    def __init__(self, engine: Any, keep: int = 64):
        self.engine = engine
        self.keep = keep

    async def recent(self, key: str, since: float) -> list[float]:
        from sqlalchemy import delete, select

        from agent.web.persistence import login_failures as t

        async with self.engine.begin() as conn:
            await conn.execute(delete(t).where(t.c.key == key, t.c.at < since))
            rows = await conn.execute(select(t.c.at).where(t.c.key == key).order_by(t.c.at.desc()).limit(self.keep))
            return sorted(float(r[0]) for r in rows)

    async def add(self, key: str, when: float) -> None:
        from sqlalchemy import insert

        from agent.web.persistence import login_failures as t

        async with self.engine.begin() as conn:
            await conn.execute(insert(t).values(key=key, at=when))

    async def clear(self, key: str) -> None:
        from sqlalchemy import delete

        from agent.web.persistence import login_failures as t

        async with self.engine.begin() as conn:
            await conn.execute(delete(t).where(t.c.key == key))


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


class LoginThrottle:
    def __init__(
        self,
        store: AttemptStore | None = None,
        *,
        limit: int = DEFAULT_LIMIT,
        window: float = DEFAULT_WINDOW,
        clock: Callable[[], float] = time.time,
    ):
        self.store: AttemptStore = store if store is not None else MemoryAttempts()
        self.limit = limit
        self.window = window
        self.clock = clock

    @classmethod
    def from_env(cls) -> LoginThrottle:
        """MOCK_INTERVIEW_LOGIN_LIMIT failures per MOCK_INTERVIEW_LOGIN_WINDOW seconds (10 per 300)."""
        return cls(
            limit=int(_env_number("MOCK_INTERVIEW_LOGIN_LIMIT", DEFAULT_LIMIT)),
            window=_env_number("MOCK_INTERVIEW_LOGIN_WINDOW", DEFAULT_WINDOW),
        )

    @staticmethod
    def keys(client: str, username: str) -> tuple[str, str]:
        return f"client:{client[:100]}", f"user:{username[:200]}"

    async def check(self, client: str, username: str) -> None:
        """Raise `TooManyAttempts` when the client or the user name has used up its failures."""
        now = self.clock()
        wait = 0.0
        for key in self.keys(client, username):
            times = await self.store.recent(key, now - self.window)
            if len(times) >= self.limit:
                wait = max(wait, times[-self.limit] + self.window - now)
        if wait > 0:
            raise TooManyAttempts(max(1, math.ceil(wait)))

    async def failed(self, client: str, username: str) -> None:
        now = self.clock()
        for key in self.keys(client, username):
            await self.store.add(key, now)

    async def succeeded(self, client: str, username: str) -> None:
        await self.store.clear(self.keys(client, username)[1])


@dataclass
class Attempt:
    """One HTTP request as the sign-in callback sees it."""

    client: str = "unknown"
    refused: TooManyAttempts | None = None


ATTEMPT: contextvars.ContextVar[Attempt | None] = contextvars.ContextVar("mock_interview_attempt", default=None)


def current_client() -> str:
    attempt = ATTEMPT.get()
    return attempt.client if attempt else "unknown"


def refuse(exc: TooManyAttempts) -> None:
    """Have the current request answered 429 (by `LoginGuard`) whatever the framework answers."""
    attempt = ATTEMPT.get()
    if attempt is not None:
        attempt.refused = exc


class LoginGuard:
    """ASGI middleware: each HTTP request carries an `Attempt`; a refused one is answered 429."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        attempt = Attempt(client=str(client[0]) if client else "unknown")
        token = ATTEMPT.set(attempt)
        replaced = False

        async def guarded_send(message: dict) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and attempt.refused is not None:
                replaced = True
                body = json.dumps({"detail": str(attempt.refused)}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 429,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"retry-after", str(attempt.refused.retry_after).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
            if not replaced:
                await send(message)

        try:
            await self.app(scope, receive, guarded_send)
        finally:
            ATTEMPT.reset(token)
