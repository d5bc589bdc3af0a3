"""Several workers on a shared Postgres behind nginx (issue 11), all live: deploy/cluster.py starts a
throw-away PostgreSQL (initdb in a temp folder, unprivileged, loopback), 2 `chainlit run` workers and nginx
with deploy/nginx.conf. Through nginx: a whole interview to its scorecard; its history and downloads served
by the other worker; a worker SIGKILLed mid-interview and the thread resumed on the other with no turn lost,
then finished and scored; a rolling restart; and no user reaching another's thread through any worker.
Plus the schema upgrade from the previous (unversioned) schema on the live server."""

from __future__ import annotations

# isort: off
import tests.e2e.appenv  # noqa: F401  (first: Chainlit must not touch the repository)

# isort: on
import asyncio
import json
import signal
import time

import httpx
import pytest

from agent.plan import load_persona
from agent.web import views
from tests.e2e.cluster_support import ClusterChat, Front, get, pin_of, start_cluster, stop_cluster, with_pin
from tests.e2e.support import PERSONA_PROFILES
from tests.helpers import TEN_LINES

pytestmark = [pytest.mark.cluster, pytest.mark.server]

SCORECARD = "## Your scorecard"
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def front():
    cluster, folder = start_cluster(workers=2)
    try:
        yield Front(cluster)
    finally:
        if TIMINGS:
            print("\ncluster timings:", json.dumps({k: round(v, 2) for k, v in TIMINGS.items()}))
        stop_cluster(cluster, folder)


def _scored(chat: ClusterChat) -> bool:
    return any(m["output"].startswith(SCORECARD) for m in chat.messages())


async def _turn(chat: ClusterChat, text: str) -> None:
    mark = len(chat.events)
    await chat.say(text)
    await chat.wait_idle(mark)


def _other(pin: str) -> str:
    return "w2" if pin == "w1" else "w1"


async def _fresh_database(front: Front, name: str) -> str:
    """An empty database of that name on the cluster's Postgres; its URL."""
    import asyncpg

    pg = front.cluster.postgres
    assert pg is not None
    conn = await asyncpg.connect(host="127.0.0.1", port=pg.port, user="mock_interview", password=pg.password)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name}")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return pg.url.rsplit("/", 1)[0] + "/" + name


def _node(front: Front, pin: str):
    return next(n for n in front.cluster.nodes if n.name == pin)


def _spoken(steps: list[dict], author: str) -> list[str]:
    return [
        s["output"]
        for s in steps
        if (s["type"] == "user_message" or s.get("name") == author)
        and s["output"] not in (views.START, views.START_SHORT)
    ]


def _saved(front: Front, cookie: str, thread_id: str) -> dict | None:
    r = get(front, f"/project/thread/{thread_id}", cookie)
    return r.json() if r.status_code == 200 else None


def _is_transcript(name: str) -> bool:
    return name.endswith("transcript.json")


def _kinds(names) -> set[str]:
    """The downloads by kind, whatever the room names them (`transcript.json`, `interview-<date>-transcript.json`)."""
    kinds = set()
    for name in names:
        if name.endswith("transcript.json"):
            kinds.add("transcript")
        elif name.endswith("scorecard.json"):
            kinds.add("scorecard")
        elif name.endswith(".md") or name.endswith(".html"):
            kinds.add("report")
    return kinds


_FINISHED: dict[str, str] = {}  # what the first test leaves for the others: thread, cookie, pin


async def test_a_whole_interview_through_nginx_to_its_scorecard(front: Front):
    cookie = front.login("alice")
    pin = pin_of(cookie)
    assert pin in ("w1", "w2")  # nginx pinned the browser at sign-in
    chat = await ClusterChat(front, cookie).connect(PERSONA_PROFILES["ceo"])
    try:
        await _turn(chat, views.START_SHORT)
        for line in TEN_LINES:
            if _scored(chat):
                break
            await _turn(chat, line)
        await chat.wait_for(lambda: _scored(chat), what="the scorecard")
        await chat.wait_for(
            lambda: (
                {"transcript", "scorecard", "report"} <= _kinds(d["name"] for e, d in chat.events if e == "element")
            ),
            what="the downloads",
        )
        element = next(d for e, d in chat.events if e == "element" and _is_transcript(d["name"]))
        r = get(front, f"/project/file/{element['chainlitKey']}", cookie, params={"session_id": chat.session_id})
        assert r.status_code == 200, r.text  # a session file: only the pinned worker has it
        transcript = r.json()
        answers = [t["text"] for t in transcript["turns"] if t["speaker"] == "candidate"]
        assert answers and answers == TEN_LINES[: len(answers)]
        thread_id = chat.first_thread_id()
        assert thread_id
        mark = len(chat.events)
        await chat.click("show_progress")  # an action: session-bound HTTP, through nginx to the pinned worker
        await chat.wait_for(lambda: any(e == "new_message" for e, _ in chat.events[mark:]), what="the progress reply")
        _FINISHED.update(thread=thread_id, cookie=cookie, pin=pin or "", transcript=json.dumps(transcript))
    finally:
        await chat.close()


async def test_history_and_downloads_are_served_by_the_other_worker(front: Front):
    if not _FINISHED:
        pytest.skip("needs the whole interview above")
    thread_id, pin = _FINISHED["thread"], _FINISHED["pin"]
    other = with_pin(_FINISHED["cookie"], _other(pin))  # the same browser, now pinned to the other worker
    thread = None
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        thread = _saved(front, other, thread_id)
        if thread and {"transcript", "report"} <= _kinds(e["name"] for e in thread["elements"]):
            break
        await asyncio.sleep(0.2)
    assert thread is not None
    listed = httpx.post(
        f"{front.base}/project/threads",
        headers={"Cookie": other},
        json={"pagination": {"first": 20}, "filter": {}},
        timeout=10,
    )
    assert listed.status_code == 200 and thread_id in [t["id"] for t in listed.json()["data"]]
    element = next(e for e in thread["elements"] if _is_transcript(e["name"]))
    r = httpx.get(f"{front.base}{element['url']}", headers={"Cookie": other}, timeout=10)
    assert r.status_code == 200 and r.headers["set-cookie"].startswith(f"mi_worker={_other(pin)}")
    assert r.json() == json.loads(_FINISHED["transcript"])  # the download the first worker saved
    # And straight from that worker, without nginx: nothing it serves lives on the other's disk.
    direct = httpx.get(f"{_node(front, _other(pin)).base}{element['url']}", headers={"Cookie": other}, timeout=10)
    assert direct.status_code == 200 and direct.content == r.content
    # Resuming there shows the scorecard with its files.
    chat = ClusterChat(front, other)
    try:
        await chat.connect(PERSONA_PROFILES["ceo"], thread_id=thread_id)
        resumed = next(d for e, d in chat.events if e == "resume_thread")
        assert any(s["output"].startswith(SCORECARD) for s in resumed["steps"])
    finally:
        await chat.close()


async def test_a_worker_killed_mid_interview_fails_over_with_no_turn_lost(front: Front):
    author = load_persona("board_member").name
    cookie = front.login("bob")
    pin = pin_of(cookie) or ""
    chat = await ClusterChat(front, cookie).connect(PERSONA_PROFILES["board_member"])
    killed = _node(front, pin)
    try:
        await _turn(chat, views.START)
        for line in TEN_LINES[:3]:
            await _turn(chat, line)
        thread_id = chat.first_thread_id()
        assert thread_id
        before: list[str] = []
        deadline = time.monotonic() + 15  # every step written before the crash (Chainlit saves in tasks)
        while time.monotonic() < deadline and len(before) < 7:
            saved = _saved(front, cookie, thread_id)
            before = _spoken(saved["steps"], author) if saved else []
            await asyncio.sleep(0.1)
        assert len(before) == 7  # the opening question, 3 answers, 3 questions
        assert [t for t in before if t in TEN_LINES] == TEN_LINES[:3]
        assert before[-1] == chat.by_author(author)[-1]

        t0 = time.monotonic()
        killed.kill(signal.SIGKILL)
        resumed = await chat.reconnect(thread_id)  # the page's reconnect, through nginx, same stale pin
        TIMINGS["kill_to_resumed_thread_s"] = time.monotonic() - t0
        assert _spoken(resumed["steps"], author) == before  # every turn, on the other worker
        await chat.wait_for(lambda: [d for e, d in chat.events if e == "action" and d["name"] == "end_interview"])
        mark = len(chat.events)
        await _turn(chat, TEN_LINES[3])
        TIMINGS["kill_to_next_reply_s"] = time.monotonic() - t0
        reply = [
            d["output"]
            for e, d in chat.events[mark:]
            if e in ("new_message", "update_message") and d.get("name") == author
        ]
        assert reply and reply[-1] not in before
        await chat.click("end_interview")  # an action after failover reaches the worker now holding the session
        await chat.wait_for(lambda: _scored(chat), what="the scorecard after failover")
        assert pin_of(chat.cookie) == _other(pin)
        stored = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            stored = _saved(front, chat.cookie, thread_id)
            if stored and any(s["output"].startswith(SCORECARD) for s in stored["steps"]):
                break
            await asyncio.sleep(0.2)
        assert stored is not None
        turns = stored["metadata"]["interview"]["turns"]
        texts = [t["text"] for t in turns]
        assert [t for t in texts if t in TEN_LINES] == TEN_LINES[:4]  # no answer lost, none repeated
        assert stored["metadata"]["scorecard"]["criteria"]
    finally:
        await chat.close()
        TIMINGS["restart_killed_worker_s"] = front.cluster.restart_worker(front.cluster.nodes.index(killed))


async def test_a_rolling_restart_keeps_the_interview(front: Front):
    author = load_persona("ceo").name
    cookie = front.login("bob")
    chat = await ClusterChat(front, cookie).connect(PERSONA_PROFILES["ceo"])
    try:
        await _turn(chat, views.START)
        await _turn(chat, TEN_LINES[0])
        thread_id = chat.first_thread_id()
        assert thread_id
        answered = 1
        moved = 0
        for i in range(len(front.cluster.nodes)):  # one by one, as a redeploy does (SIGTERM, start, healthy)
            front.cluster.restart_worker(i)
            await asyncio.sleep(0.5)
            if not chat.sio.connected:  # this worker held the session: the page reconnects through nginx
                moved += 1
                mark = len(chat.events)
                resumed = await chat.reconnect(thread_id)
                assert [t for t in _spoken(resumed["steps"], author) if t in TEN_LINES] == TEN_LINES[:answered]
                await chat.wait_for(
                    lambda mark=mark: [
                        d for e, d in chat.events[mark:] if e == "action" and d["name"] == "end_interview"
                    ]
                )
            await _turn(chat, TEN_LINES[answered])
            answered += 1
        assert moved >= 1  # the session lived on one of them
        await chat.click("end_interview")
        await chat.wait_for(lambda: _scored(chat), what="the scorecard after a rolling restart")
    finally:
        await chat.close()


async def test_no_user_reaches_another_users_thread_through_any_worker(front: Front):
    import socketio

    if not _FINISHED:
        pytest.skip("needs the whole interview above")
    thread_id = _FINISHED["thread"]
    alice = _FINISHED["cookie"]
    thread = _saved(front, alice, thread_id)
    assert thread is not None
    element = next(e for e in thread["elements"] if _is_transcript(e["name"]))
    bob = front.login("bob")
    for pin in ("w1", "w2"):
        as_bob = with_pin(bob, pin)
        assert get(front, f"/project/thread/{thread_id}", as_bob).status_code in (401, 403, 404)
        assert get(front, element["url"], as_bob).status_code == 404
        direct = httpx.get(f"{_node(front, pin).base}{element['url']}", headers={"Cookie": bob}, timeout=10)
        assert direct.status_code == 404
        sio = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await sio.connect(
                front.base,
                socketio_path="/ws/socket.io",
                transports=["websocket"],
                headers={"Cookie": as_bob},
                auth={"sessionId": "s-" + pin, "clientType": "webapp", "userEnv": "{}", "threadId": thread_id},
                wait_timeout=10,
            )
        await sio.disconnect()
    assert get(front, element["url"], alice).status_code == 200  # still hers


def test_failed_sign_ins_are_counted_across_workers(front: Front):
    """Ten failures for one name, alternating between the workers and each from another address, use up
    the name's limit on both workers: the eleventh try is refused (429) whichever worker it reaches."""

    def attempt(pin: str, i: int, password: str = "wrong") -> httpx.Response:
        return httpx.post(
            f"{front.base}/login",
            data={"username": "mallory", "password": password},
            cookies={"mi_worker": pin},
            headers={"X-Forwarded-For": f"10.9.9.{i}"},  # nginx is trusted: each try is its own client
            timeout=10,
        )

    for i in range(10):
        r = attempt(("w1", "w2")[i % 2], i)
        assert r.status_code == 401 and r.cookies.get("mi_worker") == ("w1", "w2")[i % 2]
    for pin in ("w1", "w2"):
        refused = attempt(pin, 99)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert front.login("alice")  # another name, from this address, signs in


async def test_the_previous_schema_is_upgraded_on_live_postgres(front: Front):
    """A database made before versioning (the tables, no schema table) with a user's history in it: two
    workers starting at once upgrade it once, and nothing is lost."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from agent.web import persistence, schema

    url = await _fresh_database(front, "upgrade_test")
    engine = create_async_engine(url)
    v1 = ["users", "threads", "steps", "elements", "feedbacks", "interview_scores"]
    async with engine.begin() as c:  # what the app created before schema versions
        await c.run_sync(
            lambda s: persistence.metadata.create_all(s, tables=[persistence.metadata.tables[t] for t in v1])
        )
        await c.execute(
            text("""INSERT INTO users (id, identifier, metadata) VALUES
            ('00000000-0000-0000-0000-000000000001', 'alice', '{}')""")
        )
        await c.execute(
            text("""INSERT INTO threads (id, "userId", "userIdentifier", metadata) VALUES
            ('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001', 'alice',
             '{"interview": {"turns": 3}}')""")
        )
    assert await schema.version(engine) == 0
    other = create_async_engine(url)
    results = await asyncio.gather(schema.migrate(engine), schema.migrate(other))
    assert sorted(applied for applied, _ in results) == [[], [m.version for m in schema.MIGRATIONS]]  # one upgraded
    assert await schema.version(engine) == schema.LATEST
    async with engine.connect() as c:
        meta = (await c.execute(text("SELECT metadata FROM threads"))).scalar_one()
        assert meta == {"interview": {"turns": 3}}
        assert (await c.execute(text("SELECT count(*) FROM stored_files"))).scalar_one() == 0
    assert await schema.migrate(engine) == ([], [])  # idempotent
    await engine.dispose()
    await other.dispose()


async def test_a_known_threads_state_is_merged_in_one_statement_on_live_postgres(front: Front):
    """The interview's state is saved twice a turn: on Postgres a known thread's metadata is merged by one
    UPDATE (Chainlit's merge: keys set to None dropped, the rest laid over), with the same result."""
    import uuid

    from sqlalchemy import event

    from agent.web import persistence

    layer = persistence.make_data_layer(await _fresh_database(front, "merge_test"), None)
    await persistence.ensure_schema(layer.engine)
    tid = str(uuid.uuid4())
    await layer.update_thread(tid, name="The CEO", metadata={"interview": {"turns": [1]}, "pending": "turn"})
    seen: list[str] = []
    event.listen(layer.engine.sync_engine, "before_cursor_execute", lambda c, cur, stmt, *a: seen.append(stmt))
    await layer.update_thread(tid, metadata={"interview": {"turns": [1, 2]}, "pending": None, "engine": "offline"})
    assert len(seen) == 1 and seen[0].startswith("UPDATE threads")
    thread = await layer.get_thread(tid)
    assert thread is not None and thread["name"] == "The CEO"
    assert thread["metadata"] == {"interview": {"turns": [1, 2]}, "engine": "offline"}
    await layer.delete_thread(tid)  # gone: the next save takes Chainlit's own path and makes it again
    await layer.update_thread(tid, metadata={"pending": "turn"})
    assert (await layer.get_thread(tid))["metadata"] == {"pending": "turn"}
    await layer.close()
