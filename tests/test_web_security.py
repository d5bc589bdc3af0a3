"""Security of the browser app's own code (issue 8): saved files only to their owner, whatever the key
spells; logins throttled and verified off the event loop; the store checked at start; private files;
feedback refused on other users' steps; a secure cookie behind HTTPS."""

from __future__ import annotations

# isort: off
import tests.e2e.appenv  # noqa: F401  (first: Chainlit must not touch the repository)

# isort: on
import asyncio
import threading
import time
from pathlib import Path

import pytest

from agent.web import auth, files, throttle

# --- item 1: saved files ------------------------------------------------------------------------

ALICE, BOB = "a11ce000-0000-4000-8000-000000000001", "b0b00000-0000-4000-8000-000000000002"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "files"
    for user in (ALICE, BOB):
        (root / user / "e1").mkdir(parents=True)
        (root / user / "e1" / "transcript.json").write_text(f"{user}'s transcript")
    return root


def test_own_file_resolves(store: Path):
    key = f"{ALICE}/e1/transcript.json"
    path = files.resolve_owned(store, ALICE, key, f"/interview-files/{key}")
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
def test_other_users_files_and_odd_keys_are_refused(store: Path, key: str, raw: str):
    with pytest.raises(files.Refused):
        files.resolve_owned(store, ALICE, key, raw)


def test_a_symlink_out_of_the_users_folder_is_refused(store: Path):
    (store / ALICE / "link").symlink_to(store / BOB)
    with pytest.raises(files.Refused):
        files.resolve_owned(store, ALICE, f"{ALICE}/link/e1/transcript.json")


@pytest.mark.parametrize("user", ["", ".", "..", "a/b"])
def test_a_user_without_a_proper_id_gets_nothing(store: Path, user: str):
    with pytest.raises(files.Refused):
        files.resolve_owned(store, user, f"{ALICE}/e1/transcript.json")


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


def test_the_eleventh_failure_from_one_client_is_refused_with_a_wait():
    clock = FakeClock()
    gate = throttle.LoginThrottle(clock=clock)
    for i in range(10):
        gate.check("10.0.0.1", f"name{i}")
        gate.failed("10.0.0.1", f"name{i}")
        clock.now += 1
    with pytest.raises(throttle.TooManyAttempts) as refused:
        gate.check("10.0.0.1", "alice")
    assert 290 <= refused.value.retry_after <= 300
    assert "Too many sign-in attempts. Try again in" in str(refused.value)
    gate.check("10.0.0.2", "alice")  # another client is not affected
    clock.now += 300
    gate.check("10.0.0.1", "alice")  # the window has passed


def test_one_name_is_throttled_whatever_the_client():
    gate = throttle.LoginThrottle(clock=FakeClock())
    for i in range(10):
        gate.failed(f"10.0.1.{i}", "alice")
    with pytest.raises(throttle.TooManyAttempts):
        gate.check("10.0.2.1", "alice")
    gate.check("10.0.2.1", "bob")


async def test_sign_in_counts_failures_and_refuses_the_eleventh_even_with_the_right_password():
    users = auth.Users({"alice": "a-pw"})
    gate = throttle.LoginThrottle(clock=FakeClock())
    assert await auth.sign_in(users, gate, "alice", "a-pw", "10.0.0.9")
    for _ in range(10):
        assert not await auth.sign_in(users, gate, "alice", "wrong", "10.0.0.9")
    with pytest.raises(throttle.TooManyAttempts):
        await auth.sign_in(users, gate, "alice", "a-pw", "10.0.0.9")


def test_memory_attempts_stay_bounded():
    store = throttle.MemoryAttempts(max_keys=3, keep=4)
    for i in range(10):
        for _ in range(6):
            store.add(f"k{i}", float(i))
    assert store.recent("k0", 0) == [] and len(store.recent("k9", 0)) == 4
