"""Drivers for the server tests: a real `chainlit run` in a temp app root, and a socket.io client
that speaks the same protocol as Chainlit's page (see shared notes: connect with auth and the
access-token cookie, `connection_successful`, `client_message`; actions over HTTP)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
USERS = {"alice": "alice-secret-pw", "bob": "bob-secret-pw"}
PERSONA_PROFILES = {"ceo": "The CEO", "board_member": "The board member"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_app_root(path: Path) -> Path:
    """A Chainlit app root holding copies of the project's config, welcome page and public files."""
    path.mkdir(parents=True, exist_ok=True)
    (path / ".chainlit").mkdir(exist_ok=True)
    shutil.copy(ROOT / ".chainlit" / "config.toml", path / ".chainlit" / "config.toml")
    shutil.copy(ROOT / "chainlit.md", path / "chainlit.md")
    for translated in ROOT.glob("chainlit_*.md"):  # the page's language: no "not found" line in the log
        shutil.copy(translated, path / translated.name)
    shutil.copytree(ROOT / "public", path / "public", dirs_exist_ok=True)
    return path


class Server:
    """`chainlit run agent/app.py --headless` on a free loopback port, restartable on the same root."""

    def __init__(self, app_root: Path, *, users: dict[str, str] | None = None, extra_env: dict[str, str] | None = None):
        self.app_root = prepare_app_root(app_root)
        self.port = free_port()
        self.users = USERS if users is None else users
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen | None = None
        self.log_path = app_root / "server.log"
        self.started_in: float | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MOCK_INTERVIEW_", "OAUTH_"))}
        env.pop("DATABASE_URL", None)
        # `chainlit run` reads CI=true as its own CI mode, which plants a fake OPENAI_API_KEY: the app would
        # then pick the LLM engine and try to reach OpenAI. CI runs these tests with CI=true.
        env.pop("CI", None)
        env.update(
            CHAINLIT_APP_ROOT=str(self.app_root),
            MOCK_INTERVIEW_HOME=str(self.app_root / "var"),
            CHAINLIT_AUTH_SECRET="test-secret-" + "x" * 40,
            PYTHONUNBUFFERED="1",
        )
        if self.users:
            env["MOCK_INTERVIEW_USERS"] = ",".join(f"{u}:{p}" for u, p in self.users.items())
        env.update(self.extra_env)
        return env

    def command(self) -> list[str]:
        """How the app server is started (the tests' own copy of `make run`)."""
        return [sys.executable, "-m", "chainlit", "run", str(ROOT / "agent" / "app.py"), "--headless",
                "--port", str(self.port)]

    def start(self, timeout: float = 60) -> Server:
        t0 = time.monotonic()
        log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            self.command(),
            cwd=self.app_root,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    self.started_in = time.monotonic() - t0
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server not up in {timeout}s:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.proc = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def login(self, user: str) -> str:
        """Password login; returns the Cookie header carrying Chainlit's access token."""
        r = httpx.post(f"{self.base}/login", data={"username": user, "password": self.users[user]}, timeout=10)
        r.raise_for_status()
        return "; ".join(f"{k}={v}" for k, v in r.cookies.items())


class Chat:
    """One browser tab's worth of socket.io session, recording every server event."""

    def __init__(self, server: Server, cookie: str):
        import socketio

        self.server = server
        self.cookie = cookie
        self.session_id = str(uuid.uuid4())
        self.events: list[tuple[str, Any]] = []
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("*", self._record)

    async def _record(self, event: str, data: Any = None) -> None:
        self.events.append((event, data))

    async def open_socket(self, profile: str, thread_id: str = "") -> None:
        """The page's socket.io handshake (auth as the browser sends it), then `connection_successful`."""
        await self.sio.connect(
            self.server.base,
            socketio_path="/ws/socket.io",
            transports=["websocket"],
            headers={"Cookie": self.cookie},
            auth={
                "sessionId": self.session_id,
                "clientType": "webapp",
                "userEnv": "{}",
                "chatProfile": profile,
                "threadId": thread_id,
            },
            wait_timeout=10,
        )
        await self.sio.emit("connection_successful")

    async def connect(self, profile: str, thread_id: str = "") -> Chat:
        await self.open_socket(profile, thread_id)
        # on_chat_start (new chat) or on_chat_resume must be over before we speak: Chainlit runs each
        # message as its own task, so a message sent during on_chat_start would race it.
        if thread_id:
            ready = ("resume_thread", "resume_thread_error")
            await self.wait_for(lambda: any(e in ready for e, _ in self.events), what=" or ".join(ready))
            await asyncio.sleep(0.3)  # on_chat_resume's own messages follow resume_thread
        else:
            await self.wait_for(self._chat_started, what="on_chat_start's task_end")
        return self

    def _chat_started(self) -> bool:
        """on_chat_start has sent the settings and ended its task. Its task_end may trail the settings and the
        welcome; taken for the end of the first message's task, it let that message's reply race the next one."""
        names = [e for e, _ in self.events]
        if "chat_settings" not in names:
            return False
        settings = names.index("chat_settings")
        began = max((i for i, e in enumerate(names[:settings]) if e == "task_start"), default=0)
        return "task_end" in names[began:]

    async def close(self) -> None:
        await self.sio.disconnect()

    async def say(self, text: str, thread_id: str = "") -> None:
        await self.sio.emit(
            "client_message",
            {
                "message": {
                    "id": str(uuid.uuid4()),
                    "threadId": thread_id,
                    "name": "User",
                    "type": "user_message",
                    "output": text,
                    "createdAt": datetime.now(timezone.utc).isoformat(),
                },
                "fileReferences": None,
            },
        )

    async def click(self, name: str) -> dict:
        """Press the latest action with this name, as the page does (HTTP, same session)."""
        action = next(d for e, d in reversed(self.events) if e == "action" and d["name"] == name)
        async with httpx.AsyncClient(timeout=60) as http:
            r = await http.post(
                f"{self.server.base}/project/action",
                headers={"Cookie": self.cookie},
                json={"sessionId": self.session_id, "action": action},
            )
        self._kept(r)
        r.raise_for_status()
        return r.json()

    def _kept(self, response: httpx.Response) -> None:
        """What a browser keeps from a response (nothing here; `ClusterChat` keeps nginx's pin)."""

    # --- reading ------------------------------------------------------------------------------
    def messages(self) -> list[dict]:
        """Sent messages by id, last state wins (new_message, then update_message)."""
        out: dict[str, dict] = {}
        for event, data in self.events:
            if event in ("new_message", "update_message") and isinstance(data, dict):
                out[data["id"]] = {**out.get(data["id"], {}), **data}
            elif event == "delete_message" and isinstance(data, dict):
                out.pop(data.get("id"), None)
        return list(out.values())

    def by_author(self, author: str) -> list[str]:
        return [
            m["output"] for m in self.messages() if m.get("name") == author and m.get("type") == "assistant_message"
        ]

    def actions(self, name: str) -> list[dict]:
        return [d for e, d in self.events if e == "action" and d["name"] == name]

    def first_thread_id(self) -> str | None:
        for event, data in self.events:
            if event == "first_interaction":
                return data.get("thread_id")
        return None

    async def wait_for(self, check: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            value = check()
            if value:
                return value
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; last events: {self.events[-8:]}\n{self.server.log()}")

    async def wait_idle(self, after: int, timeout: float = 30) -> None:
        """Wait for the server to finish the message task started after event index `after`."""

        def done() -> bool:
            names = [e for e, _ in self.events[after:]]
            return "task_start" in names and "task_end" in names[names.index("task_start") :]

        await self.wait_for(done, timeout, "task_end")
