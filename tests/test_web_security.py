"""Security of the browser app's own code (issue 8): saved files only to their owner, whatever the key
spells; logins throttled and verified off the event loop; the store checked at start; private files;
feedback refused on other users' steps; a secure cookie behind HTTPS."""

from __future__ import annotations

# isort: off
import tests.e2e.appenv  # noqa: F401  (first: Chainlit must not touch the repository)

# isort: on
import asyncio
import errno
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from agent.web import auth, files, persistence, store, throttle

# --- item 1: saved files ------------------------------------------------------------------------

ALICE, BOB = "a11ce000-0000-4000-8000-000000000001", "b0b00000-0000-4000-8000-000000000002"


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    root = tmp_path / "files"
    for user in (ALICE, BOB):
        (root / user / "e1").mkdir(parents=True)
        (root / user / "e1" / "transcript.json").write_text(f"{user}'s transcript")
    return root


def test_own_file_resolves(saved: Path):
    key = f"{ALICE}/e1/transcript.json"
    path = files.resolve_owned(saved, ALICE, key, f"/interview-files/{key}")
    assert path.read_text() == f"{ALICE}'s transcript"


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        (f"{ALICE}/../{BOB}/e1/transcript.json", f"/interview-files/{ALICE}/../{BOB}/e1/transcript.json"),
        (f"{ALICE}/../{BOB}/e1/transcript.json", f"/interview-files/{ALICE}/%2e%2e/{BOB}/e1/transcript.json"),
        (f"{ALICE}/../{BOB}/e1/transcript.json", f"/interview-files/{ALICE}/..%2f{BOB}/e1/transcript.json"),
        (f"{ALICE}/x/../../{BOB}/e1/transcript.json", f"/interview-files/{ALICE}/x/../../{BOB}/e1/transcript.json"),
        (f"{ALICE}/./../{BOB}/e1/transcript.json", ""),
        (f"{ALICE}//{BOB}/e1/transcript.json", ""),
        (f"{ALICE}/e1/transcript.json", f"/interview-files/{ALICE}%2fe1/transcript.json"),
        (f"{ALICE}/e1\\..\\..\\{BOB}/e1/transcript.json", ""),
        (f"{BOB}/e1/transcript.json", f"/interview-files/{BOB}/e1/transcript.json"),
        (f"/{BOB}/e1/transcript.json", ""),
        (f"{ALICE}", ""),
        ("", ""),
    ],
)
def test_other_users_files_and_odd_keys_are_refused(saved: Path, key: str, raw: str):
    with pytest.raises(files.Refused):
        files.resolve_owned(saved, ALICE, key, raw)


def test_a_symlink_out_of_the_users_folder_is_refused(saved: Path):
    (saved / ALICE / "link").symlink_to(saved / BOB)
    with pytest.raises(files.Refused):
        files.resolve_owned(saved, ALICE, f"{ALICE}/link/e1/transcript.json")


@pytest.mark.parametrize("user", ["", ".", "..", "a/b"])
def test_a_user_without_a_proper_id_gets_nothing(saved: Path, user: str):
    with pytest.raises(files.Refused):
        files.resolve_owned(saved, user, f"{ALICE}/e1/transcript.json")


# --- item 2: sign-in ------------------------------------------------------------------------------


def test_an_unknown_name_is_checked_against_a_dummy_hash_as_strong_as_the_real_ones(monkeypatch):
    users = auth.Users(
        {"alice": auth.hash_password("a-pw", iterations=1500), "bob": auth.hash_password("b", iterations=900)}
    )
    seen: list[str] = []
    real = auth._check_hash

    def spy(stored: str, password: str) -> bool:
        seen.append(stored)
        return real(stored, password)

    monkeypatch.setattr(auth, "_check_hash", spy)
    assert users.check("alice", "a-pw") and not users.check("alice", "wrong")
    assert not users.check("nobody", "a-pw")
    assert seen[-1] == users.dummy and users.dummy.startswith("pbkdf2_sha256$1500$")
    assert not users.check("nobody", "anything") and seen[-1] == users.dummy  # every unknown name, same work


def test_plain_passwords_compare_an_unknown_name_against_a_dummy_too(monkeypatch):
    users = auth.Users({"alice": "a-pw"})
    compared: list[bytes] = []
    real = auth.hmac.compare_digest

    def spy(a, b):
        compared.append(a)
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert users.check("alice", "a-pw")
    assert not users.check("mallory", "a-pw")
    assert compared[-1] == users.dummy.encode()


async def test_verification_runs_off_the_event_loop(monkeypatch):
    users = auth.Users({"alice": auth.hash_password("a-pw", iterations=1000)})
    threads: list[str] = []

    def slow_check(stored: str, password: str) -> bool:
        threads.append(threading.current_thread().name)
        time.sleep(0.4)
        return False

    monkeypatch.setattr(auth, "_check_hash", slow_check)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        assert await asyncio.gather(users.verify("alice", "x"), users.verify("nobody", "y")) == [False, False]
    finally:
        task.cancel()
    assert threads and all(name != threading.main_thread().name for name in threads)
    assert ticks >= 10  # the loop kept running while the hashes were checked


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "database"])
async def attempts(request, tmp_path: Path):
    """Each throttle test runs on the in-process store and on the shared one (here on SQLite)."""
    if request.param == "memory":
        yield throttle.MemoryAttempts()
        return
    from sqlalchemy.ext.asyncio import create_async_engine

    from agent.web import persistence

    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'attempts.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(persistence.metadata.create_all, tables=[persistence.login_failures])
    yield throttle.DatabaseAttempts(engine)
    await engine.dispose()


async def test_the_eleventh_failure_from_one_client_is_refused_with_a_wait(attempts):
    clock = FakeClock()
    gate = throttle.LoginThrottle(attempts, clock=clock)
    for i in range(10):
        await gate.check("10.0.0.1", f"name{i}")
        await gate.failed("10.0.0.1", f"name{i}")
        clock.now += 1
    with pytest.raises(throttle.TooManyAttempts) as refused:
        await gate.check("10.0.0.1", "alice")
    assert 290 <= refused.value.retry_after <= 300
    assert "Too many sign-in attempts. Try again in" in str(refused.value)
    await gate.check("10.0.0.2", "alice")  # another client is not affected
    clock.now += 300
    await gate.check("10.0.0.1", "alice")  # the window has passed


async def test_one_name_is_throttled_whatever_the_client(attempts):
    gate = throttle.LoginThrottle(attempts, clock=FakeClock())
    for i in range(10):
        await gate.failed(f"10.0.1.{i}", "alice")
    with pytest.raises(throttle.TooManyAttempts):
        await gate.check("10.0.2.1", "alice")
    await gate.check("10.0.2.1", "bob")


async def test_two_workers_sharing_the_database_count_the_same_failures(tmp_path: Path):
    from sqlalchemy.ext.asyncio import create_async_engine

    from agent.web import persistence

    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(persistence.metadata.create_all, tables=[persistence.login_failures])
    clock = FakeClock()
    one, two = (throttle.LoginThrottle(throttle.DatabaseAttempts(engine), clock=clock) for _ in range(2))
    for i in range(10):
        await (one if i % 2 else two).failed(f"10.0.3.{i}", "alice")  # spread over both
    for gate in (one, two):
        with pytest.raises(throttle.TooManyAttempts):
            await gate.check("10.0.4.1", "alice")
    await one.succeeded("10.0.4.1", "alice")  # a success on one clears the name on both
    await two.check("10.0.4.1", "alice")
    await engine.dispose()


async def test_sign_in_counts_failures_and_refuses_the_eleventh_even_with_the_right_password():
    users = auth.Users({"alice": "a-pw"})
    gate = throttle.LoginThrottle(clock=FakeClock())
    assert await auth.sign_in(users, gate, "alice", "a-pw", "10.0.0.9")
    for _ in range(10):
        assert not await auth.sign_in(users, gate, "alice", "wrong", "10.0.0.9")
    with pytest.raises(throttle.TooManyAttempts):
        await auth.sign_in(users, gate, "alice", "a-pw", "10.0.0.9")


async def test_the_shared_store_reads_the_latest_failures_and_forgets_old_ones(attempts):
    if isinstance(attempts, throttle.MemoryAttempts):
        attempts = throttle.MemoryAttempts(keep=3)
    else:
        attempts.keep = 3
    for when in (1.0, 2.0, 3.0, 4.0, 5.0):
        await attempts.add("user:alice", when)
    assert await attempts.recent("user:alice", 0.0) == [3.0, 4.0, 5.0]
    assert await attempts.recent("user:alice", 4.5) == [5.0]  # older than the window: gone
    assert await attempts.recent("user:alice", 0.0) == [5.0]


async def test_memory_attempts_stay_bounded():
    store = throttle.MemoryAttempts(max_keys=3, keep=4)
    for i in range(10):
        for _ in range(6):
            await store.add(f"k{i}", float(i))
    assert await store.recent("k0", 0) == [] and len(await store.recent("k9", 0)) == 4


# --- items 3 and 11: the store is checked at start, kept private, and a failed save is told ------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_store_is_private(tmp_path: Path):
    home = tmp_path / "var"
    store.check(home, home / "files", f"sqlite+aiosqlite:///{home / 'mock-interview.db'}")
    assert _mode(home) == 0o700 and _mode(home / "files") == 0o700
    assert _mode(home / "mock-interview.db") == 0o600


def test_what_an_older_version_left_readable_is_tightened(tmp_path: Path):
    home = tmp_path / "var"
    (home / "files" / "u1" / "e1").mkdir(parents=True)
    old = home / "files" / "u1" / "e1" / "transcript.json"
    old.write_text("{}")
    db = home / "mock-interview.db"
    db.write_bytes(b"")
    for path in (home, home / "files", home / "files" / "u1", home / "files" / "u1" / "e1"):
        path.chmod(0o755)
    old.chmod(0o644)
    db.chmod(0o644)
    store.check(home, home / "files", f"sqlite+aiosqlite:///{db}")
    assert _mode(home) == 0o700 and _mode(home / "files" / "u1" / "e1") == 0o700
    assert _mode(old) == 0o600 and _mode(db) == 0o600


async def test_saved_downloads_are_private(tmp_path: Path):
    storage = persistence.LocalStorage(tmp_path / "files")
    await storage.upload_file("u1/e1/report.md", "# hi")
    assert _mode(tmp_path / "files" / "u1") == 0o700 and _mode(tmp_path / "files" / "u1" / "e1") == 0o700
    assert _mode(tmp_path / "files" / "u1" / "e1" / "report.md") == 0o600
    assert not list((tmp_path / "files" / "u1" / "e1").glob(".*tmp"))


def test_the_umask_makes_new_files_private(tmp_path: Path):
    previous = store.private_umask()
    try:
        (tmp_path / "new").write_text("x")
        (tmp_path / "newdir").mkdir()
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "new") == 0o600 and _mode(tmp_path / "newdir") == 0o700


def test_a_data_folder_that_cannot_be_created_refuses_with_one_line(tmp_path: Path):
    (tmp_path / "blocker").write_text("a file where the folder should be")
    home = tmp_path / "blocker" / "var"
    with pytest.raises(store.StoreError) as refused:
        store.check(home, home / "files", f"sqlite+aiosqlite:///{home / 'db.sqlite'}")
    assert str(refused.value) == f"the data folder {home} cannot be created: not a directory"


def test_a_database_that_cannot_be_written_refuses(tmp_path: Path):
    home = tmp_path / "var"
    (home / "db.sqlite").mkdir(parents=True)  # not a database file
    with pytest.raises(store.StoreError, match=r"^the database .*db\.sqlite cannot be written: "):
        store.check(home, home / "files", f"sqlite+aiosqlite:///{home / 'db.sqlite'}")


def test_a_full_disk_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.os, "write", full)
    with pytest.raises(store.StoreError, match="cannot be written: no space left on device"):
        store.check(tmp_path / "var", tmp_path / "var" / "files", "sqlite+aiosqlite:///:memory:")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through read-only permissions")
def test_a_read_only_data_folder_refuses(tmp_path: Path):
    home = tmp_path / "var"
    home.mkdir()
    home.chmod(0o500)
    try:
        with pytest.raises(store.StoreError):
            store.check(home, home / "files", f"sqlite+aiosqlite:///{home / 'db.sqlite'}")
    finally:
        home.chmod(0o700)


async def test_a_failed_save_during_an_interview_is_told_once_with_the_transcript(tmp_path, monkeypatch):
    from sqlalchemy import text

    from agent import app
    from agent.web import room, saving, views
    from tests.e2e.fakes import chainlit_session, close_layer, installed_data_layer
    from tests.helpers import TEN_LINES

    layer, persisted = await installed_data_layer(tmp_path, monkeypatch)
    async with chainlit_session(user=persisted) as s:
        await layer.update_thread(s.mock.thread_id, user_id=persisted.id)
        await app._message(cl_message(views.START))
        assert not saving.warned(s.mock.id)  # saving works: nothing said
        async with layer.engine.begin() as conn:  # the store breaks mid-interview
            await conn.execute(text("DROP TABLE steps"))
            await conn.execute(text("DROP TABLE threads"))
        await app._message(cl_message(TEN_LINES[0]))
        await app._message(cl_message(TEN_LINES[1]))
        await asyncio.sleep(0.1)  # Chainlit saves steps in tasks of their own
        notices = [m for m in s.messages() if m.startswith("**Your interview is not being saved.**")]
        assert len(notices) == 1
        files_sent = [e for e in s.elements() if e["name"] == "transcript-so-far.json"]
        assert len(files_sent) == 1
        assert s.state().state.turns[-2].text == TEN_LINES[1]  # the interview went on
        assert room.current() is not None
    await close_layer(layer)


def cl_message(text: str):
    import chainlit as cl

    return cl.Message(content=text, type="user_message", author="User")


# --- item 12: feedback, upload folders, the cookie ---------------------------------------------------


async def test_feedback_is_written_or_deleted_only_by_the_owner_of_the_message(tmp_path):
    from chainlit.types import Feedback
    from chainlit.user import PersistedUser
    from sqlalchemy import select

    from agent.web import feedback

    layer = persistence.make_data_layer(f"sqlite+aiosqlite:///{tmp_path / 'f.db'}", None)
    await persistence.ensure_schema(layer.engine)
    steps = {}
    for name in ("alice", "bob"):
        user = await layer.create_user(PersistedUser(id="", identifier=name, createdAt="", metadata={}))
        thread_id = f"thread-{name}"
        await layer.update_thread(thread_id, user_id=user.id)
        steps[name] = f"step-{name}"
        async with layer.engine.begin() as conn:
            await conn.execute(
                persistence.steps.insert().values(
                    id=steps[name], threadId=thread_id, name="Dana", type="assistant_message", streaming=False
                )
            )

    async def rows() -> list:
        async with layer.engine.connect() as conn:
            return (await conn.execute(select(persistence.feedbacks))).fetchall()

    with pytest.raises(feedback.NotYours):  # Chainlit's route, which does not say who asks
        await layer.upsert_feedback(Feedback(forId=steps["bob"], value=0, threadId="thread-bob"))
    with feedback.acting_user("alice"), pytest.raises(feedback.NotYours):
        await layer.upsert_feedback(Feedback(forId=steps["bob"], value=0, threadId="thread-bob"))
    assert await rows() == []
    with feedback.acting_user("bob"):
        bobs = await layer.upsert_feedback(Feedback(forId=steps["bob"], value=1, threadId="thread-bob"))
    with feedback.acting_user("alice"):
        with pytest.raises(feedback.NotYours):
            await layer.delete_feedback(bobs)
        with pytest.raises(feedback.NotYours):  # overwriting bob's row by its id, pointed at her own step
            await layer.upsert_feedback(Feedback(id=bobs, forId=steps["alice"], value=0, threadId="thread-alice"))
        await layer.upsert_feedback(Feedback(forId=steps["alice"], value=0, threadId="thread-alice"))
    assert len(await rows()) == 2
    with pytest.raises(feedback.NotYours):
        await layer.delete_feedback(bobs)
    with feedback.acting_user("bob"):
        assert await layer.delete_feedback(bobs)
    assert len(await rows()) == 1
    await layer.close()


def test_the_thumbs_are_hidden_in_the_page():
    from tests.conftest import ROOT

    config = (ROOT / ".chainlit" / "config.toml").read_text()
    assert '\ncustom_css = "/public/mock-interview.css"' in config
    css = (ROOT / "public" / "mock-interview.css").read_text()
    assert all(f".{kind}-feedback-{state}" in css for kind in ("positive", "negative") for state in ("on", "off"))


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        ({}, False),
        ({"CHAINLIT_URL": "http://localhost:8000"}, False),
        ({"CHAINLIT_URL": "https://interviews.example.com"}, True),
        ({"CHAINLIT_URL": "HTTPS://interviews.example.com/"}, True),
        ({"CHAINLIT_SSL_CERT": "/etc/cert.pem"}, True),
        ({"MOCK_INTERVIEW_SECURE_COOKIE": "1"}, True),
        ({"CHAINLIT_URL": "https://x.example.com", "MOCK_INTERVIEW_SECURE_COOKIE": "0"}, False),
    ],
)
def test_the_cookie_is_secure_when_the_public_url_is_https(env: dict, secure: bool):
    from agent.web import serving

    assert serving.wants_secure_cookie(env) is secure


def test_each_instance_gets_its_own_upload_folder_and_dead_ones_are_cleared(tmp_path: Path):
    import subprocess
    import sys

    from agent.web import serving

    shared = tmp_path / ".files"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (shared / f"{serving.PREFIX}{dead.stdout.strip()}-abcd").mkdir(parents=True)
    live = shared / f"{serving.PREFIX}1-abcd"  # pid 1 always runs
    live.mkdir()
    mine = serving.instance_files_dir(shared)
    other = serving.instance_files_dir(shared)
    assert mine != other and mine.parent == shared and _mode(mine) == 0o700
    assert sorted(p.name for p in shared.iterdir()) == sorted([live.name, mine.name, other.name])


# --- item 4: a scorecard view cut short is rebuilt ------------------------------------------------------


def test_missing_parts_of_a_scorecard_view_are_found():
    from agent.web import rebuild

    card = {"id": "c", "type": "assistant_message", "output": "## Your scorecard\n..."}
    other = {"id": "q", "type": "assistant_message", "output": "What brings you here?"}
    assert rebuild.missing({"steps": [other]}).card_step is None
    partial = rebuild.missing(
        {
            "steps": [other, card],
            "elements": [{"name": "scores", "forId": "c"}, {"name": "scorecard.json", "forId": "q"}],
        }
    )
    assert partial.card_step == "c" and partial.elements == ["interview-report.md", "transcript.json", "scorecard.json"]
    whole = [{"name": n, "forId": "c"} for n in rebuild.ELEMENT_NAMES]
    assert rebuild.missing({"steps": [card], "elements": whole}).nothing


async def test_a_save_that_fails_before_anything_was_said_is_told_without_an_empty_transcript():
    import chainlit as cl

    from agent.session import InterviewSession
    from agent.web import room, saving
    from tests.e2e.fakes import chainlit_session

    async with chainlit_session() as s:
        cl.user_session.set(room.INTERVIEW, InterviewSession.new("ceo").to_dict())  # no turn yet
        await saving.save_failed("your settings", RuntimeError("duplicate key"))
        assert [m for m in s.messages() if m.startswith("**Your interview is not being saved.**")]
        assert not [e for e in s.elements() if e["name"] == "transcript-so-far.json"]
