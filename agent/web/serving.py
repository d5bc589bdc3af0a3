"""What this app sets about the Chainlit server process itself.

* Its own upload folder. Chainlit keeps each session's files in `<app root>/.files/` and deletes that
  whole folder when the server stops, so two instances in one folder would delete each other's files.
  Chainlit 2.12 reads no setting for it (`chainlit.config.FILES_DIRECTORY` is a module constant), so each
  process points it at `.files/instance-<pid>-<random>/` (0700), which only that process removes;
  folders left by a process that no longer runs are cleared at start.
* The session cookie's `Secure` flag. Chainlit sets it only with `CHAINLIT_COOKIE_SAMESITE=none`
  (which also drops SameSite protection). Here it is set when the public URL is https (`CHAINLIT_URL`
  starts with `https://`, or the server itself serves TLS with `CHAINLIT_SSL_CERT`), or when
  `MOCK_INTERVIEW_SECURE_COOKIE=1`; `MOCK_INTERVIEW_SECURE_COOKIE=0` turns it off.
* No nested event loop on connect. Chainlit 2.12 works out a socket's config in `WebsocketSession.__init__`
  by running the chat-profiles callback with `run_until_complete` inside the running loop (nest_asyncio):
  every other ready task then runs inside that frame, so a burst of connects nests until the stack
  overflows (RecursionError, failed connects; seen at 30 at once). The config it looks for is a profile's
  `config_overrides`, and this app's profiles have none (`room.chat_profiles`, checked by a test), so the
  answer is always the global config: `config_without_profile_overrides` returns it directly.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path

PREFIX = "instance-"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_stale(shared: Path) -> list[Path]:
    """Remove the upload folders of instances that no longer run; returns what was removed."""
    removed = []
    for folder in shared.glob(f"{PREFIX}*"):
        try:
            pid = int(folder.name[len(PREFIX) :].split("-", 1)[0])
        except ValueError:
            continue
        if pid != os.getpid() and not pid_alive(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def instance_files_dir(shared: Path) -> Path:
    """A fresh private folder for this process's uploads inside `shared`."""
    shared.mkdir(parents=True, exist_ok=True)
    clear_stale(shared)
    mine = shared / f"{PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    mine.mkdir(mode=0o700)
    return mine


def use_own_files_dir() -> Path:
    """Point Chainlit's session-file folder (and the folder it deletes on shutdown) at our own."""
    import chainlit.config
    import chainlit.server

    shared = Path(chainlit.config.FILES_DIRECTORY)
    if shared.name.startswith(PREFIX):  # already done in this process
        return shared
    mine = instance_files_dir(shared)
    chainlit.config.FILES_DIRECTORY = mine
    chainlit.server.FILES_DIRECTORY = mine
    return mine


def wants_secure_cookie(env: dict[str, str] | None = None) -> bool:
    env = dict(os.environ) if env is None else env
    flag = (env.get("MOCK_INTERVIEW_SECURE_COOKIE") or "").strip().lower()
    if flag:
        return flag in ("1", "true", "yes", "on")
    return (env.get("CHAINLIT_URL") or "").strip().lower().startswith("https://") or bool(env.get("CHAINLIT_SSL_CERT"))


def apply_cookie_policy(env: dict[str, str] | None = None) -> bool:
    """Set Chainlit's auth cookie `Secure` when `wants_secure_cookie`; returns the flag in force."""
    import chainlit.auth.cookie as cookie

    if wants_secure_cookie(env):
        cookie._cookie_secure = True
    with contextlib.suppress(AttributeError):
        return bool(cookie._cookie_secure)
    return False


def config_without_profile_overrides() -> None:
    from chainlit.config import config
    from chainlit.session import WebsocketSession

    def get_config(self: WebsocketSession) -> object:
        return config

    WebsocketSession.get_config = get_config  # type: ignore[method-assign,assignment]
