"""A fake Chainlit session context, built the way Chainlit's own backend tests build theirs
(`backend/tests/conftest.py`): a `Mock(spec=WebsocketSession)` whose `emit` records every event the page
would receive, set as the current `ChainlitContext`."""

from __future__ import annotations

# isort: off
import tests.e2e.appenv  # noqa: F401  (first: Chainlit must not touch the repository)

# isort: on
import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from unittest.mock import AsyncMock, Mock

from chainlit.context import ChainlitContext, context_var
from chainlit.session import WebsocketSession
from chainlit.user_session import user_sessions

from agent.session import InterviewSession
from agent.web import room


class FakeSession:
    """What a test needs from one browser session: its mock, and the events sent to it."""

    def __init__(self, mock: Mock):
        self.mock = mock

    @property
    def events(self) -> list[tuple[str, Any]]:
        return [(c.args[0], c.args[1] if len(c.args) > 1 else None) for c in self.mock.emit.call_args_list]

    def messages(self, author: str | None = None) -> list[str]:
        seen: dict[str, dict] = {}
        for event, data in self.events:
            if event in ("new_message", "update_message"):
                seen[data["id"]] = data
            elif event == "delete_message":
                seen.pop(data["id"], None)
        return [m["output"] for m in seen.values() if author is None or m.get("name") == author]

    def actions(self, name: str) -> list[dict]:
        return [d for e, d in self.events if e == "action" and d["name"] == name]

    def elements(self) -> list[dict]:
        return [d for e, d in self.events if e == "element"]

    def state(self) -> InterviewSession:
        return InterviewSession.from_json(user_sessions[self.mock.id][room.INTERVIEW])


@asynccontextmanager
async def chainlit_session(
    profile: str = "The board member", settings: dict | None = None, user: Any = None, keep: dict | None = None
) -> AsyncIterator[FakeSession]:
    mock = Mock(spec=WebsocketSession)
    mock.id = str(uuid.uuid4())
    mock.thread_id = str(uuid.uuid4())
    mock.user_env = {}
    mock.chat_settings = dict(settings or {})
    mock.user = user
    mock.chat_profile = profile
    mock.http_referer = None
    mock.client_type = "webapp"
    mock.languages = ["en"]
    mock.emit = AsyncMock()
    mock.has_first_interaction = True
    mock.persist_file = AsyncMock(side_effect=lambda **kw: {"id": str(uuid.uuid4())})
    if keep is not None:
        user_sessions[mock.id] = dict(keep)
    token = context_var.set(ChainlitContext(mock))
    try:
        yield FakeSession(mock)
    finally:
        context_var.reset(token)
        user_sessions.pop(mock.id, None)


async def installed_data_layer(tmp_path: Any, monkeypatch: Any, user: str = "alice") -> tuple[Any, Any]:
    """The app's data layer on a fresh SQLite file, installed as Chainlit's, with `user` in it."""
    import chainlit.data as cl_data
    from chainlit.user import PersistedUser

    from agent.web import persistence

    layer = persistence.make_data_layer(
        f"sqlite+aiosqlite:///{tmp_path / 'app.db'}", persistence.make_storage(tmp_path / "files")
    )
    await persistence.ensure_schema(layer.engine)
    monkeypatch.setattr(cl_data, "_data_layer", layer)
    monkeypatch.setattr(cl_data, "_data_layer_initialized", True)
    persisted = await layer.create_user(PersistedUser(id="", identifier=user, createdAt="", metadata={}))
    return layer, persisted


async def close_layer(layer: Any) -> None:
    """Close the data layer once the saves Chainlit started in tasks of their own are done: a save still
    running when the engine is disposed holds a connection past the test's event loop."""
    pending = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
    if pending:
        await asyncio.wait(pending, timeout=5)
    await layer.close()
