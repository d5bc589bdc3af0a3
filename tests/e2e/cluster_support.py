"""Driving the cluster (deploy/cluster.py: Postgres, 2 workers, nginx) as the page does, through nginx.

`Front` stands where `support.Server` stands for one process: its `base` is nginx, and its cookies include
nginx's `mi_worker` pin. `ClusterChat` adds what the page does when its socket drops: reconnect with the same
session id and the thread id it learned from `first_interaction` (Chainlit's page keeps
`socket.auth.threadId` up to date), which resumes the thread on whichever worker nginx picks.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from deploy.cluster import Cluster, missing_parts
from tests.e2e.support import USERS, Chat, prepare_app_root


def start_cluster(workers: int = 2) -> tuple[Cluster, Path]:
    """A cluster in a fresh temp folder (0755: the unprivileged Postgres user must reach its data)."""
    missing = missing_parts()
    if missing:
        import pytest

        pytest.skip(f"the cluster needs {', '.join(missing)} (make test installs them on Debian)")
    folder = Path(tempfile.mkdtemp(prefix="mi-cluster-"))
    folder.chmod(0o755)
    app_root = prepare_app_root(folder / "app")
    users = ",".join(f"{u}:{p}" for u, p in USERS.items())
    from deploy.cluster import free_port

    cluster = Cluster(
        folder,
        workers=workers,
        port=free_port(),
        app_root=app_root,
        extra_env={"MOCK_INTERVIEW_USERS": users, "MOCK_INTERVIEW_LOGIN_LIMIT": "10"},
        fast_db=True,
    )
    try:
        cluster.up()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return cluster, folder


def stop_cluster(cluster: Cluster, folder: Path) -> None:
    try:
        cluster.down()
    finally:
        if not os.environ.get("MOCK_INTERVIEW_KEEP_CLUSTER"):
            shutil.rmtree(folder, ignore_errors=True)


class Front:
    """The cluster through nginx, shaped like `support.Server` for `Chat`."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.users = USERS

    @property
    def base(self) -> str:
        return self.cluster.base

    def log(self) -> str:
        tails = []
        for node in self.cluster.nodes:
            text = node.log.read_text(errors="replace")[-1500:] if node.log.exists() else ""
            tails.append(f"--- {node.name} ---\n{text}")
        return "\n".join(tails)

    def login(self, user: str, pin: str | None = None) -> str:
        """Sign in through nginx; the Cookie header with the access token and nginx's worker pin."""
        cookies = {"mi_worker": pin} if pin else {}
        r = httpx.post(
            f"{self.base}/login", data={"username": user, "password": self.users[user]}, cookies=cookies, timeout=10
        )
        r.raise_for_status()
        jar = {**cookies, **dict(r.cookies.items())}
        return cookie_header(jar)


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def parse_cookie(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            out[name] = value
    return out


def pin_of(cookie: str) -> str | None:
    return parse_cookie(cookie).get("mi_worker")


def with_pin(cookie: str, pin: str) -> str:
    return cookie_header({**parse_cookie(cookie), "mi_worker": pin})


class ClusterChat(Chat):
    """A `Chat` through nginx that can reconnect as the page does after its worker is lost."""

    def __init__(self, front: Front, cookie: str):
        super().__init__(front, cookie)  # type: ignore[arg-type]
        self.profile = ""

    async def connect(self, profile: str, thread_id: str = "") -> ClusterChat:
        self.profile = profile
        await super().connect(profile, thread_id)
        return self

    async def reconnect(self, thread_id: str, timeout: float = 30) -> dict:
        """The page's socket.io reconnect: same session id, the thread it has; returns the resume_thread data."""
        import socketio

        with contextlib.suppress(Exception):
            await self.sio.disconnect()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("*", self._record)
        mark = len(self.events)
        t0 = time.monotonic()
        while True:
            try:
                await self.open_socket(self.profile, thread_id)
                break
            except Exception:
                if time.monotonic() - t0 > timeout:
                    raise
                await _sleep(0.2)
        return await self.wait_for(
            lambda: next((d for e, d in self.events[mark:] if e == "resume_thread"), None),
            timeout,
            "resume_thread",
        )

    def _kept(self, response: httpx.Response) -> None:
        """A browser stores every Set-Cookie: the pin nginx sets moves with it."""
        if response.cookies.get("mi_worker"):
            self.cookie = with_pin(self.cookie, response.cookies["mi_worker"])


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


def get(front: Front, path: str, cookie: str, **kw: Any) -> httpx.Response:
    return httpx.get(f"{front.base}{path}", headers={"Cookie": cookie}, timeout=10, **kw)
