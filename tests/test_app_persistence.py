"""The SQL schema against the installed Chainlit: every column its SQLAlchemy data layer writes or reads
exists, a full round trip logs no SQL error, an older database is upgraded in place, and saved files
stay inside their folder."""

from __future__ import annotations

# isort: off
import tests.e2e.appenv  # noqa: F401  (first: Chainlit must not touch the repository)

# isort: on
import dataclasses
import inspect
import logging
import re
import uuid

import pytest
from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
from chainlit.element import Text
from chainlit.message import Message
from chainlit.step import Step
from chainlit.types import Feedback, Pagination, ThreadFilter
from chainlit.user import User
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.schema import CreateTable

from agent.web import feedback, files, history, persistence
from tests.e2e.fakes import chainlit_session
from tests.helpers import run_interview

SOURCE = inspect.getsource(SQLAlchemyDataLayer)


def _columns(table) -> set[str]:
    return {c.name for c in table.columns}


async def _step_and_message(thread_id: str) -> tuple[dict, dict]:
    step = Step(
        name="Scoring the interview",
        type="tool",
        thread_id=thread_id,
        default_open=True,
        show_input="json",
        language="markdown",
    )
    step.input, step.output = "in", "out"
    step.auto_collapse = True
    message = Message(content="hello", author="Dana", command="progress")
    message.thread_id = thread_id
    return step.to_dict(), message.to_dict()


async def test_every_field_the_pinned_chainlit_writes_has_a_column():
    async with chainlit_session():
        step, message = await _step_and_message("t")
        element = Text(name="report.md", content="x", for_id="s", thread_id="t").to_dict()
    assert set(step) - {"feedback"} <= _columns(persistence.steps)
    assert set(message) <= _columns(persistence.steps)
    assert set(element) <= _columns(persistence.elements)
    assert {f.name for f in dataclasses.fields(Feedback)} <= _columns(persistence.feedbacks)
    thread_keys = set(re.findall(r'^\s+"(\w+)": ', SOURCE[SOURCE.index("data = {") :], re.M)[:7])
    assert thread_keys == {"id", "createdAt", "name", "userId", "userIdentifier", "tags", "metadata"}
    assert thread_keys <= _columns(persistence.threads)


def test_every_column_chainlit_names_in_sql_exists():
    tables = {"s": persistence.steps, "e": persistence.elements, "t": persistence.threads, "f": persistence.feedbacks}
    named = re.findall(r'\b([seft])\."(\w+)"', SOURCE)
    assert len(named) > 40
    missing = {f"{tables[a].name}.{col}" for a, col in named if col not in _columns(tables[a])}
    assert not missing
    for table, cols in (("users", re.search(r"INSERT INTO users \(([^)]*)\)", SOURCE)),):
        assert cols and {c.strip(' "') for c in cols.group(1).split(",")} <= _columns(persistence.users), table


async def test_round_trip_through_chainlits_data_layer_logs_no_sql_error(tmp_path, caplog):
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    storage = persistence.make_storage(tmp_path / "files")
    layer = persistence.make_data_layer(url, storage)
    assert isinstance(layer, SQLAlchemyDataLayer)
    await persistence.ensure_schema(layer.engine)
    caplog.set_level(logging.WARNING, logger="chainlit")
    user = await layer.create_user(User(identifier="alice", metadata={"provider": "password"}))
    assert user is not None
    async with chainlit_session(user=user) as s:
        tid = s.mock.thread_id
        await layer.update_thread(
            tid, name="The CEO: COO at Alder Freight", user_id=user.id, metadata={"interview": {"turns": []}}
        )
        step, message = await _step_and_message(tid)
        await layer.create_step(step)
        await layer.create_step(message)
        element = Text(name="report.md", content="# hi", for_id=message["id"], thread_id=tid, mime="text/markdown")
        await layer.create_element(element)
        with feedback.acting_user("alice"):  # feedback is written only for the message's owner
            await layer.upsert_feedback(Feedback(forId=message["id"], value=1, threadId=tid, comment="useful"))
        thread = await layer.get_thread(tid)
        assert thread is not None and thread["userIdentifier"] == "alice"
        assert thread["metadata"] == {"interview": {"turns": []}}  # an object, not SQLite's text
        assert all(isinstance(st["metadata"], dict) for st in thread["steps"])
        assert {st["id"] for st in thread["steps"]} == {step["id"], message["id"]}
        assert thread["elements"][0]["url"] == f"/interview-files/{user.id}/{element.id}/report.md"
        assert (storage.path_for(f"{user.id}/{element.id}/report.md")).read_text() == "# hi"
        listed = await layer.list_threads(Pagination(first=10), ThreadFilter(userId=user.id))
        assert [t["id"] for t in listed.data] == [tid]
        assert await layer.get_thread_author(tid) == "alice"
        await layer.delete_thread(tid)
        assert await layer.get_thread(tid) is None
    problems = [r.getMessage() for r in caplog.records if re.search("error occurred|statement failed", r.getMessage())]
    assert not problems
    await layer.close()


async def test_statements_stand_alone_and_a_known_thread_is_not_looked_up_before_each_step(tmp_path, caplog):
    from sqlalchemy import event

    layer = persistence.make_data_layer(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}", None)
    await persistence.ensure_schema(layer.engine)
    seen: list[str] = []
    event.listen(layer.engine.sync_engine, "before_cursor_execute", lambda c, cur, stmt, *a: seen.append(stmt))
    async with chainlit_session() as s:
        tid = s.mock.thread_id
        step, message = await _step_and_message(tid)
        await layer.create_step(step)
        first = list(seen)
        seen.clear()
        await layer.create_step(message)
        assert any('FROM threads WHERE "id"' in q for q in first)  # a new thread: looked up, and created
        assert not any("FROM threads" in q for q in seen) and any("INSERT INTO steps" in q for q in seen)
        assert not any(q.strip().upper() in ("BEGIN", "COMMIT") for q in first + seen)  # autocommit
        await layer.delete_thread(tid)
        seen.clear()
        await layer.create_step(step)  # a deleted thread is looked up (and made) again
        assert any('FROM threads WHERE "id"' in q for q in seen)
        assert (await layer.get_thread(tid)) is not None
    caplog.set_level(logging.WARNING, logger="agent.web.persistence")
    assert await layer.execute_sql("SELECT * FROM no_such_table", {}) is None  # logged, not raised
    assert any("statement failed" in r.getMessage() for r in caplog.records)
    await layer.close()


async def test_two_saves_of_one_users_settings_at_once_do_not_collide(tmp_path):
    import asyncio

    from agent.web import preferences

    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await persistence.ensure_schema(engine)
    await asyncio.gather(*(preferences.save(engine, "alice", {"persona": p}) for p in ("ceo", "board_member") * 5))
    assert (await preferences.load(engine, "alice"))["persona"] in ("ceo", "board_member")
    await preferences.save(engine, "alice", {"company": "Alder Freight"})
    kept = await preferences.load(engine, "alice")
    assert kept["company"] == "Alder Freight" and kept["persona"] in ("ceo", "board_member")  # merged, one row
    await engine.dispose()


async def test_an_older_database_gets_the_missing_columns(tmp_path):
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    async with engine.begin() as conn:  # the shape of Chainlit's older documented schema
        await conn.execute(
            text(
                'CREATE TABLE steps ("id" TEXT PRIMARY KEY, "name" TEXT NOT NULL, '
                '"type" TEXT NOT NULL, "threadId" TEXT NOT NULL, "streaming" BOOLEAN NOT NULL)'
            )
        )
    added = await persistence.ensure_schema(engine)
    assert "steps.defaultOpen" in added and "steps.autoCollapse" in added and "steps.command" in added
    assert await persistence.ensure_schema(engine) == []  # idempotent
    await engine.dispose()


def test_postgres_gets_native_types():
    ddl = str(CreateTable(persistence.threads).compile(dialect=postgresql.dialect()))
    assert "id UUID NOT NULL" in ddl and "tags TEXT[]" in ddl and "metadata JSONB" in ddl


async def test_scores_over_time_are_per_user_and_follow_thread_deletion(tmp_path):
    layer = SQLAlchemyDataLayer(conninfo=f"sqlite+aiosqlite:///{tmp_path / 'h.db'}")
    await persistence.ensure_schema(layer.engine)
    alice = await layer.create_user(User(identifier="alice"))
    bob = await layer.create_user(User(identifier="bob"))
    assert alice and bob
    transcript = run_interview("ceo").transcript()
    from agent.offline.scorer import score

    card = score(transcript)
    threads = {}
    for who, user in (("alice", alice), ("alice", alice), ("bob", bob)):
        tid = str(uuid.uuid4())
        await layer.update_thread(tid, user_id=user.id)
        threads.setdefault(who, []).append(tid)
        await history.record(layer.engine, history.score_row(card, transcript, thread_id=tid, user=who))
    assert len(await history.progress(layer.engine, "alice")) == 2
    assert len(await history.progress(layer.engine, "bob")) == 1
    await layer.delete_thread(threads["alice"][0])
    rows = await history.progress(layer.engine, "alice")
    assert [r["threadId"] for r in rows] == [threads["alice"][1]]
    assert rows[0]["humility"] == card.criteria.humility.score
    await layer.close()


async def test_local_storage_stays_inside_its_folder(tmp_path):
    storage = persistence.LocalStorage(tmp_path / "files")
    saved = await storage.upload_file("u1/e1/report.md", "x")
    assert saved["url"] == "/interview-files/u1/e1/report.md"
    with pytest.raises(ValueError):
        storage.path_for("../outside.txt")
    with pytest.raises(ValueError):
        storage.path_for("/etc/passwd")
    assert await storage.delete_file("u1/e1/report.md") and not await storage.delete_file("../x")
    assert files.owner_of("u1/e1/report.md") == "u1"
