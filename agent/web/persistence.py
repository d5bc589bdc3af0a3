"""Chainlit's SQLAlchemy data layer, with the schema it needs created by us.

Chainlit ships `SQLAlchemyDataLayer` but not its tables. The layer INSERTs every non-None field of
a step, element, thread and feedback as a column of the same name, so the schema has to match the
pinned Chainlit version exactly; `tests/test_app_persistence.py` checks it against the installed
package. `ensure_schema` applies the versioned migrations of `agent.web.schema` (missing tables, missing
columns), so a database made by an older version of this app keeps working.

Charts and downloads go to a `LocalStorage` folder (SQLite: one machine) or, on Postgres, to the
`stored_files` table through `DatabaseStorage`, so every worker behind a load balancer serves every file
(`MOCK_INTERVIEW_FILE_STORE=folder|database` overrides; a folder shared by all workers works too).

SQLite (aiosqlite) is the default; Postgres (asyncpg) is used when DATABASE_URL is set. Types
vary by dialect: SQLite stores JSON and ids as text, Postgres uses JSONB, UUID and TEXT[] as
Chainlit's documentation does.
"""

from __future__ import annotations

import json
import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    select,
    text,
)
from sqlalchemy.dialects import postgresql

from agent.fileio import write_bytes_atomic

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

_ID = Text().with_variant(postgresql.UUID(as_uuid=False), "postgresql")
_JSON = JSON().with_variant(postgresql.JSONB(), "postgresql")
_TAGS = Text().with_variant(postgresql.ARRAY(Text()), "postgresql")

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("identifier", Text, nullable=False, unique=True),
    Column("metadata", _JSON, nullable=False),
    Column("createdAt", Text),
)

threads = Table(
    "threads",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("createdAt", Text),
    Column("name", Text),
    Column("userId", _ID, ForeignKey("users.id", ondelete="CASCADE")),
    Column("userIdentifier", Text),
    Column("tags", _TAGS),
    Column("metadata", _JSON),
)

steps = Table(
    "steps",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("threadId", _ID, nullable=False),
    Column("parentId", _ID),
    Column("command", Text),
    Column("modes", _JSON),
    Column("streaming", Boolean, nullable=False),
    Column("waitForAnswer", Boolean),
    Column("isError", Boolean),
    Column("metadata", _JSON),
    Column("tags", _TAGS),
    Column("input", Text),
    Column("output", Text),
    Column("createdAt", Text),
    Column("start", Text),
    Column("end", Text),
    Column("generation", _JSON),
    Column("showInput", Text),
    Column("defaultOpen", Boolean),
    Column("autoCollapse", Boolean),
    Column("language", Text),
    Column("icon", Text),
    Column("indent", Integer),
    Column("disableFeedback", Boolean),
)

elements = Table(
    "elements",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("threadId", _ID),
    Column("type", Text),
    Column("url", Text),
    Column("chainlitKey", Text),
    Column("name", Text, nullable=False),
    Column("display", Text),
    Column("objectKey", Text),
    Column("size", Text),
    Column("page", Integer),
    Column("language", Text),
    Column("forId", _ID),
    Column("mime", Text),
    Column("props", _JSON),
    Column("autoPlay", Boolean),
    Column("playerConfig", _JSON),
)

feedbacks = Table(
    "feedbacks",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("forId", _ID, nullable=False),
    Column("threadId", _ID, nullable=False),
    Column("value", Integer, nullable=False),
    Column("comment", Text),
)

# Our own table: one row per scored interview, so progress over time is one cheap query.
interview_scores = Table(
    "interview_scores",
    metadata,
    Column("id", Text, primary_key=True),
    Column("threadId", _ID, nullable=False, index=True),
    Column("userIdentifier", Text, nullable=False, index=True),
    Column("createdAt", Text, nullable=False),
    Column("persona", Text, nullable=False),
    Column("company", Text),
    Column("role", Text),
    Column("engine", Text),
    Column("humility", Integer, nullable=False),
    Column("curiosity", Integer, nullable=False),
    Column("askedForJob", Integer, nullable=False),
    Column("outcome", Text),
    Column("dealBreakers", Integer, nullable=False, default=0),
    Column("complete", Boolean),  # false: ended before the close (kept apart in progress); null: unknown
)


# Charts and downloads when they live in the database (schema version 2): one row per Chainlit object key,
# `<user id>/<element id>/<name>`; `userId` is the key's first segment, checked again when serving.
stored_files = Table(
    "stored_files",
    metadata,
    Column("objectKey", Text, primary_key=True),
    Column("userId", Text, nullable=False, index=True),
    Column("mime", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("createdAt", Text, nullable=False),
)

# Failed sign-ins, so the throttle counts them across every worker (`throttle.DatabaseAttempts`).
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False, index=True),
    Column("at", Float, nullable=False),
)


async def upsert(engine: AsyncEngine, table: Table, row: dict[str, Any], *, key: str) -> None:
    """Insert `row`, or update the row with the same `key`: one statement, in autocommit (no BEGIN/COMMIT
    round trips), and no window where two writers collide on the key as a delete-then-insert has."""
    from sqlalchemy.dialects import sqlite

    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    statement: Any = dialect.insert(table).values(**row)
    statement = statement.on_conflict_do_update(index_elements=[key], set_={k: v for k, v in row.items() if k != key})
    async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        await conn.execute(statement)


async def ensure_schema(engine: AsyncEngine) -> list[str]:
    """Make the database match this schema (`agent.web.schema.migrate`); returns the columns it had to add."""
    from agent.web import schema

    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    _, added = await schema.migrate(engine)
    return added


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` readable by its owner only (0600), atomically: a crash never leaves a
    half-written download."""
    write_bytes_atomic(path, data, mode=0o600)


def _storage_base() -> type:
    from chainlit.data.storage_clients.base import BaseStorageClient

    return BaseStorageClient


class LocalStorage:
    """Chainlit's storage-client interface on the local disk, so charts and downloads survive a
    restart without a cloud bucket. Files are served by `agent.web.files` to their owner only:
    Chainlit's object key starts with the owner's user id."""

    url_prefix = "/interview-files"

    def __init__(self, root: Path):
        self.root = root.resolve()

    def path_for(self, object_key: str) -> Path:
        path = (self.root / object_key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"object key outside the storage folder: {object_key!r}")
        return path

    async def upload_file(
        self,
        object_key: str,
        data: bytes | str,
        mime: str = "application/octet-stream",
        overwrite: bool = True,
        content_disposition: str | None = None,
    ) -> dict[str, Any]:
        path = self.path_for(object_key)
        if path.exists() and not overwrite:
            raise FileExistsError(object_key)
        for folder in reversed([p for p in path.parents if p == self.root or self.root in p.parents]):
            folder.mkdir(mode=0o700, exist_ok=True)  # private to the user running the app
        write_private(path, data.encode("utf-8") if isinstance(data, str) else data)
        return {"object_key": object_key, "url": await self.get_read_url(object_key)}

    async def delete_file(self, object_key: str) -> bool:
        try:
            self.path_for(object_key).unlink()
        except (FileNotFoundError, ValueError):
            return False
        return True

    async def get_read_url(self, object_key: str) -> str:
        return f"{self.url_prefix}/{quote(object_key)}"

    async def close(self) -> None:
        return None


class DatabaseStorage:
    """Chainlit's storage-client interface on the `stored_files` table: what one worker saves, every worker
    serves (`agent.web.files`, to the owner only). The engine is the data layer's (`bind`)."""

    url_prefix = "/interview-files"

    def __init__(self) -> None:
        self.engine: AsyncEngine | None = None

    def bind(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def _engine(self) -> AsyncEngine:
        if self.engine is None:
            raise RuntimeError("DatabaseStorage used before the data layer bound its engine")
        return self.engine

    async def upload_file(
        self,
        object_key: str,
        data: bytes | str,
        mime: str = "application/octet-stream",
        overwrite: bool = True,
        content_disposition: str | None = None,
    ) -> dict[str, Any]:
        from datetime import datetime, timezone

        from sqlalchemy import insert

        from agent.web.files import check_key

        parts = check_key(object_key)
        body = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        row = {
            "objectKey": object_key,
            "userId": parts[0],
            "mime": mime or "application/octet-stream",
            "size": len(body),
            "data": body,
            "createdAt": datetime.now(timezone.utc).isoformat(),
        }
        if overwrite:
            await upsert(self._engine(), stored_files, row, key="objectKey")
        else:
            async with self._engine().begin() as conn:
                await conn.execute(insert(stored_files).values(**row))
        return {"object_key": object_key, "url": await self.get_read_url(object_key)}

    async def read_owned(self, user_id: str, object_key: str, raw: str = "") -> tuple[bytes, str] | None:
        """The file's bytes and type when `object_key` is a plain key inside `user_id`'s files, else None."""
        from agent.web.files import Refused, check_key

        try:
            parts = check_key(object_key, raw)
        except Refused:
            return None
        if not user_id or parts[0] != user_id:
            return None
        query = select(stored_files.c.data, stored_files.c.mime).where(
            stored_files.c.objectKey == object_key, stored_files.c.userId == user_id
        )
        async with self._engine().connect() as conn:
            row = (await conn.execute(query)).first()
        return (bytes(row[0]), str(row[1])) if row else None

    async def delete_file(self, object_key: str) -> bool:
        from sqlalchemy import delete

        async with self._engine().begin() as conn:
            result = await conn.execute(delete(stored_files).where(stored_files.c.objectKey == object_key))
        return bool(result.rowcount)

    async def get_read_url(self, object_key: str) -> str:
        return f"{self.url_prefix}/{quote(object_key)}"

    async def close(self) -> None:
        return None


def file_store_kind(url: str | None, env: dict[str, str] | None = None) -> str:
    """'database' or 'folder': MOCK_INTERVIEW_FILE_STORE when set, else the database on Postgres (several
    workers share it) and a folder on SQLite (one machine)."""
    env = dict(os.environ) if env is None else env
    chosen = (env.get("MOCK_INTERVIEW_FILE_STORE") or "").strip().lower()
    if chosen in ("database", "folder"):
        return chosen
    return "database" if url and url.startswith("postgresql") else "folder"


def make_storage(root: Path, url: str | None = None) -> Any:
    """The storage client for `url`'s database (`file_store_kind`), registered as a Chainlit storage client
    (built lazily: importing this module must not import Chainlit)."""
    base = _storage_base()
    if file_store_kind(url) == "database":
        return type("DatabaseStorageClient", (DatabaseStorage, base), {})()
    cls = type("LocalStorageClient", (LocalStorage, base), {})
    return cls(root)


def _parsed(value: Any) -> Any:
    """SQLite hands JSON columns back as text; the page and Chainlit's resume expect objects."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


@lru_cache(maxsize=1)
def _data_layer_class() -> type:
    from chainlit.data.sql_alchemy import SQLAlchemyDataLayer

    class DataLayer(SQLAlchemyDataLayer):
        """Chainlit's layer, with threads read back as the objects Postgres would give.

        On SQLite, a thread's metadata reaches the page as a JSON string, so the page cannot read the
        chat profile and settings it holds, and a resumed thread shows the default profile's name.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # Each of Chainlit's statements stands alone, so it runs in autocommit: one round trip to the
            # database instead of three (BEGIN, the statement, COMMIT). Under load the round trips were
            # most of a worker's time.
            self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            self._known_threads: set[str] = set()
            self._thread_owners: dict[str, str] = {}
            self._merges_in_sql = self.engine.dialect.name == "postgresql"

        async def execute_sql(self, query: str, parameters: dict) -> Any:
            """Chainlit's, in autocommit. Like Chainlit's, a failed statement is logged and gives None;
            a failed write is also reported here, so the user hears of it (`agent.web.saving`)."""
            try:
                # Not `async with`: its exit closes in a task of its own, one more task per statement.
                conn = await self._autocommit.connect()
                try:
                    result = await conn.execute(text(query), parameters)
                    if result.returns_rows:
                        return self.clean_result([dict(row._mapping) for row in result.fetchall()])
                    return result.rowcount
                finally:
                    await conn.close()
            except Exception as exc:
                log.warning("a statement failed: %s", type(exc).__name__)
                if _is_write(query):
                    await _report("the conversation", query.split(None, 3)[:3])
                return None

        async def update_thread(
            self,
            thread_id: str,
            name: str | None = None,
            user_id: str | None = None,
            metadata: dict | None = None,
            tags: list[str] | None = None,
        ) -> None:
            """Chainlit calls this before every step it saves, only to make sure the thread exists: a
            thread this worker has already seen is not looked up again."""
            known = thread_id in self._known_threads
            if known and all(v is None for v in (name, user_id, metadata, tags)):
                return
            mergeable = known and metadata is not None and user_id is None and tags is None and self._merges_in_sql
            if mergeable and await self._merge_metadata(thread_id, name, metadata or {}):
                return
            await super().update_thread(thread_id, name=name, user_id=user_id, metadata=metadata, tags=tags)
            if len(self._known_threads) > 100_000:
                self._known_threads.clear()
            self._known_threads.add(thread_id)

        async def _merge_metadata(self, thread_id: str, name: str | None, metadata: dict) -> bool:
            """Chainlit's merge (keys set to None dropped, the rest laid over what is stored) as one UPDATE on
            Postgres, instead of a SELECT and an upsert: the interview saves its state twice a turn. False
            when no row was updated (the thread is gone), so Chainlit's own path runs."""
            name = name if name is not None else metadata.get("name")
            drop = [k for k, v in metadata.items() if v is None]
            incoming = json.dumps({k: v for k, v in metadata.items() if v is not None})
            query = (
                'UPDATE threads SET "metadata" = (COALESCE("metadata", CAST(\'{}\' AS jsonb)) - CAST(:drop AS text[])) '
                "|| CAST(:incoming AS jsonb)" + (', "name" = :name' if name is not None else "") + ' WHERE "id" = :id'
            )
            params: dict[str, Any] = {"id": thread_id, "drop": drop, "incoming": incoming}
            if name is not None:
                params["name"] = name
            return bool(await self.execute_sql(query, params))

        async def delete_thread(self, thread_id: str) -> None:
            self._known_threads.discard(thread_id)
            self._thread_owners.pop(thread_id, None)
            await super().delete_thread(thread_id)

        async def _get_user_id_by_thread(self, thread_id: str) -> str | None:
            """Looked up before every file saved; a thread's owner, once set, never changes."""
            owner = self._thread_owners.get(thread_id)
            if owner is None:
                owner = await super()._get_user_id_by_thread(thread_id)
                if owner is not None:
                    if len(self._thread_owners) > 100_000:
                        self._thread_owners.clear()
                    self._thread_owners[thread_id] = owner
            return owner

        async def upsert_feedback(self, feedback: Any) -> str:
            """Only for the signed-in owner of the message (and of the feedback row, when it exists)."""
            await self._check_feedback_owner(for_id=feedback.forId, feedback_id=feedback.id)
            return await super().upsert_feedback(feedback)

        async def delete_feedback(self, feedback_id: str) -> bool:
            await self._check_feedback_owner(for_id=None, feedback_id=feedback_id)
            return await super().delete_feedback(feedback_id)

        async def _check_feedback_owner(self, *, for_id: str | None, feedback_id: str | None) -> None:
            from agent.web.feedback import ACTING_USER, NotYours

            user = ACTING_USER.get()
            if not user:
                raise NotYours("feedback needs a signed-in owner")
            async with self.engine.connect() as conn:
                if feedback_id:
                    row = (
                        await conn.execute(select(feedbacks.c.forId).where(feedbacks.c.id == feedback_id))
                    ).first()
                    if row is not None and not await _owns_step(conn, user, row[0]):
                        raise NotYours("not your feedback")
                    if row is None and for_id is None:
                        raise NotYours("no such feedback")
                if for_id is not None and not await _owns_step(conn, user, for_id):
                    raise NotYours("not your message")

        async def create_element(self, element: Any) -> Any:
            try:
                return await super().create_element(element)
            except Exception as exc:  # a storage failure: Chainlit runs this as a task nobody awaits
                log.warning("could not save the file %s: %s", getattr(element, "name", "?"), exc)
                await _report("a download", exc)
                return None

        async def get_all_user_threads(self, user_id: str | None = None, thread_id: str | None = None) -> Any:
            threads = await super().get_all_user_threads(user_id=user_id, thread_id=thread_id)
            for thread in threads or []:
                thread["metadata"] = _parsed(thread.get("metadata"))
                for step in thread.get("steps") or []:
                    step["metadata"] = _parsed(step.get("metadata"))
                    step["generation"] = _parsed(step.get("generation"))
                for element in thread.get("elements") or []:
                    element["props"] = _parsed(element.get("props"))
            return threads

    return DataLayer


async def _owns_step(conn: Any, user: str, step_id: str) -> bool:
    query = (
        select(steps.c.id)
        .join(threads, threads.c.id == steps.c.threadId)
        .where(steps.c.id == step_id, threads.c.userIdentifier == user)
    )
    return (await conn.execute(query)).first() is not None


_WRITES = ("insert", "update", "delete", "replace", "create", "alter", "drop")


def _is_write(query: str) -> bool:
    return query.lstrip().split(None, 1)[0].lower() in _WRITES if query.strip() else False


async def _report(what: str, detail: Any) -> None:
    from agent.web import saving

    await saving.save_failed(what, detail)


def make_data_layer(url: str, storage: Any) -> Any:
    layer = _data_layer_class()(conninfo=url, storage_provider=storage)
    if hasattr(storage, "bind"):
        storage.bind(layer.engine)
    return layer
