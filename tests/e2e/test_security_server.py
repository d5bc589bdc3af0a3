"""Issue 8 through the real server: what an attacker tried, refused; what a crash broke, repaired."""

from __future__ import annotations

# isort: off
import tests.e2e.appenv  # noqa: F401  (first: Chainlit must not touch the repository)

# isort: on
import contextlib
import http.client
import time

import httpx
import pytest

from agent.web import views
from tests.e2e.support import PERSONA_PROFILES, Chat, Server
from tests.helpers import TEN_LINES

pytestmark = [pytest.mark.server]

SCORECARD = "## Your scorecard"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    srv = Server(tmp_path_factory.mktemp("app")).start()
    yield srv
    srv.stop()


def raw_get(server: Server, path: str, cookie: str = "") -> tuple[int, bytes]:
    """A GET with the path sent exactly as written (no client-side `..` folding or re-encoding)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        if cookie:
            conn.putheader("Cookie", cookie)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def user_id(server: Server, cookie: str) -> str:
    return httpx.get(f"{server.base}/user", headers={"Cookie": cookie}, timeout=10).json()["id"]


async def scored_thread(server: Server, cookie: str) -> dict:
    """A short interview ended at once; returns the saved thread once its files are stored."""
    chat = await Chat(server, cookie).connect(PERSONA_PROFILES["ceo"])
    try:
        mark = len(chat.events)
        await chat.say(views.START_SHORT)
        await chat.wait_idle(mark)
        mark = len(chat.events)
        await chat.say(TEN_LINES[0])
        await chat.wait_idle(mark)
        await chat.click("end_interview")
        await chat.wait_for(lambda: any(m["output"].startswith(SCORECARD) for m in chat.messages()), what="scorecard")
        thread_id = chat.first_thread_id()
    finally:
        await chat.close()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        r = httpx.get(f"{server.base}/project/thread/{thread_id}", headers={"Cookie": cookie}, timeout=10)
        names = [e["name"] for e in r.json()["elements"]] if r.status_code == 200 else []
        if len(names) >= 4 and any(n.endswith("transcript.json") for n in names):  # saved in tasks, any order
            return r.json()
        time.sleep(0.2)
    raise AssertionError("the thread's files were not saved")


async def test_another_users_files_cannot_be_reached_by_any_spelling_of_dot_dot(server: Server):
    alice, bob = server.login("alice"), server.login("bob")
    alice_id, bob_id = user_id(server, alice), user_id(server, bob)
    bobs = await scored_thread(server, bob)
    url = next(e["url"] for e in bobs["elements"] if e["name"].endswith("transcript.json"))
    assert url.startswith(f"/interview-files/{bob_id}/")
    tail = url.removeprefix(f"/interview-files/{bob_id}/")  # <element id>/transcript.json
    status, body = raw_get(server, url, bob)
    assert status == 200 and b'"turns"' in body  # the owner gets it
    attacks = [
        f"/interview-files/{alice_id}/../{bob_id}/{tail}",
        f"/interview-files/{alice_id}/%2e%2e/{bob_id}/{tail}",
        f"/interview-files/{alice_id}/%2E%2E/{bob_id}/{tail}",
        f"/interview-files/{alice_id}/..%2f{bob_id}/{tail}",
        f"/interview-files/{alice_id}/x/../../{bob_id}/{tail}",
        f"/interview-files/{alice_id}%2f..%2f{bob_id}/{tail}",
        f"/interview-files/{alice_id}/.%2e/{bob_id}/{tail}",
        f"/interview-files/{alice_id}//../{bob_id}/{tail}",
        url,
    ]
    for path in attacks:
        status, body = raw_get(server, path, alice)
        assert status == 404, (path, status)
        assert b'"turns"' not in body
    status, _ = raw_get(server, url)  # signed out
    assert status in (401, 404)


def _login(server: Server, user: str, password: str, client: str) -> httpx.Response:
    # uvicorn trusts X-Forwarded-For from loopback (as from a reverse proxy there): one address per "client".
    return httpx.post(
        f"{server.base}/login",
        data={"username": user, "password": password},
        headers={"X-Forwarded-For": client},
        timeout=10,
    )


def test_the_eleventh_failed_sign_in_from_one_client_gets_429(server: Server):
    for i in range(10):
        assert _login(server, f"nobody{i}", "guess", "10.1.1.1").status_code == 401
    refused = _login(server, "alice", server.users["alice"], "10.1.1.1")
    assert refused.status_code == 429
    assert "Too many sign-in attempts. Try again in" in refused.json()["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 300
    assert _login(server, "alice", server.users["alice"], "10.1.1.2").status_code == 200  # others still can


def test_one_name_is_throttled_across_clients(server: Server):
    for i in range(10):
        assert _login(server, "carol", "guess", f"10.2.0.{i}").status_code == 401
    assert _login(server, "carol", "guess", "10.2.1.1").status_code == 429


async def test_password_checks_do_not_stall_the_server(tmp_path):
    """40 concurrent wrong passwords against a hashed user: /health still answers at once."""
    import asyncio

    from agent.web.auth import hash_password

    srv = Server(tmp_path / "app", users={"dana": "x"}, extra_env={"MOCK_INTERVIEW_LOGIN_LIMIT": "1000"})
    srv.extra_env["MOCK_INTERVIEW_USERS"] = "dana:" + hash_password("right", iterations=600_000)
    srv.start()
    try:
        async with httpx.AsyncClient(base_url=srv.base, timeout=60) as http:
            logins = [
                asyncio.create_task(
                    http.post(
                        "/login",
                        data={"username": "dana", "password": f"w{i}"},
                        headers={"X-Forwarded-For": f"10.3.0.{i}"},
                    )
                )
                for i in range(40)
            ]
            await asyncio.sleep(0.2)
            worst = 0.0
            while not all(t.done() for t in logins):
                t0 = time.monotonic()
                assert (await http.get("/health")).status_code == 200
                worst = max(worst, time.monotonic() - t0)
                await asyncio.sleep(0.05)
            assert {(await t).status_code for t in logins} == {401}
        assert worst < 0.5, worst
    finally:
        srv.stop()


def test_an_unwritable_store_refuses_to_start_with_one_line(tmp_path):
    import subprocess


    (tmp_path / "blocker").write_text("a file where the data folder should be")
    srv = Server(tmp_path / "app", extra_env={"MOCK_INTERVIEW_HOME": str(tmp_path / "blocker" / "var")})
    proc = subprocess.run(
        srv.command(),
        cwd=srv.app_root,
        env=srv.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    home = tmp_path / "blocker" / "var"
    assert lines == [f"mock-interview: cannot start: the data folder {home} cannot be created: not a directory"]
    assert "Traceback" not in proc.stdout


async def test_stored_history_is_private_to_the_user_running_the_app(server: Server):
    import stat

    await scored_thread(server, server.login("alice"))
    var = server.app_root / "var"
    found = list(var.rglob("*"))
    assert any(p.name.endswith("transcript.json") for p in found) and any(p.suffix == ".db" for p in found)
    loose = [str(p) for p in [var, *found] if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert not loose


async def test_feedback_endpoints_refuse_everyone(server: Server):
    alice, bob = server.login("alice"), server.login("bob")
    bobs = await scored_thread(server, bob)
    step = next(s for s in bobs["steps"] if s["type"] == "assistant_message")
    put = {"feedback": {"forId": step["id"], "threadId": bobs["id"], "value": 0, "comment": "alice was here"}}
    for cookie in (alice, bob):
        r = httpx.put(f"{server.base}/feedback", json=put, headers={"Cookie": cookie}, timeout=10)
        assert r.status_code == 404 and r.json()["detail"] == "Feedback is turned off."
        r = httpx.request(
            "DELETE", f"{server.base}/feedback", json={"feedbackId": "x"}, headers={"Cookie": cookie}, timeout=10
        )
        assert r.status_code == 404
    again = httpx.get(f"{server.base}/project/thread/{bobs['id']}", headers={"Cookie": bob}, timeout=10).json()
    assert not any(s.get("feedback") for s in again["steps"])


async def test_two_instances_in_one_folder_keep_their_own_files_and_https_cookies_are_secure(tmp_path):
    import signal

    root = tmp_path / "app"
    first = Server(root, extra_env={"CHAINLIT_URL": "https://interviews.example.test"}).start()
    second = Server(root).start()
    try:
        r = httpx.post(f"{first.base}/login", data={"username": "alice", "password": first.users["alice"]}, timeout=10)
        assert "secure" in [part.strip().lower() for part in r.headers["set-cookie"].split(";")]
        r = httpx.post(f"{second.base}/login", data={"username": "bob", "password": second.users["bob"]}, timeout=10)
        assert "secure" not in [part.strip().lower() for part in r.headers["set-cookie"].split(";")]  # plain http
        cookie = second.login("bob")
        chat = await Chat(second, cookie).connect(PERSONA_PROFILES["ceo"])
        try:
            for text in (views.START_SHORT, TEN_LINES[0]):
                mark = len(chat.events)
                await chat.say(text)
                await chat.wait_idle(mark)
            await chat.click("end_interview")
            element = await chat.wait_for(
                lambda: next(
                    (d for e, d in chat.events if e == "element" and d["name"].endswith("transcript.json")), None
                ),
                what="the transcript file",
            )
            first.stop(signal.SIGTERM)  # a clean stop: Chainlit deletes its upload folder on the way out
            r = httpx.get(
                f"{second.base}/project/file/{element['chainlitKey']}",
                params={"session_id": chat.session_id},
                headers={"Cookie": cookie},
                timeout=10,
            )
            assert r.status_code == 200 and '"turns"' in r.text
        finally:
            await chat.close()
        assert (root / ".files").is_dir() and "Traceback" not in second.log()
    finally:
        first.stop()
        second.stop()


@pytest.mark.parametrize("point", ["scored", "saved", "recorded", "sent"])
async def test_a_crash_between_the_last_answer_and_the_scorecard_loses_nothing(tmp_path, point: str):
    """SIGKILL at each point between the closing answer and the scorecard's files being stored: after a
    restart the thread shows its full scorecard, every download works, and progress counts it once."""
    import signal

    from agent.web import faults

    srv = Server(tmp_path / "app", extra_env={faults.ENV: point}).start()
    try:
        cookie = srv.login("alice")
        chat = await Chat(srv, cookie).connect(PERSONA_PROFILES["ceo"])
        for text in (views.START_SHORT, TEN_LINES[0]):
            mark = len(chat.events)
            await chat.say(text)
            await chat.wait_idle(mark)
        thread_id = chat.first_thread_id()
        assert thread_id
        assert chat.actions("end_interview"), (chat.events[-6:], srv.log())
        with contextlib.suppress(httpx.HTTPError):  # the server dies answering
            await chat.click("end_interview")
        assert srv.proc is not None
        srv.proc.wait(timeout=30)
        assert srv.proc.returncode == -signal.SIGKILL
        with contextlib.suppress(Exception):
            await chat.close()
        srv.proc = None
        del srv.extra_env[faults.ENV]
        srv.start()
        cookie = srv.login("alice")
        again = await Chat(srv, cookie).connect(PERSONA_PROFILES["ceo"], thread_id=thread_id)
        try:

            def stored() -> dict | None:
                r = httpx.get(f"{srv.base}/project/thread/{thread_id}", headers={"Cookie": cookie}, timeout=10)
                thread = r.json() if r.status_code == 200 else {}
                cards = [s for s in thread.get("steps", []) if str(s.get("output", "")).startswith(SCORECARD)]
                if len(cards) != 1:
                    return None
                names = {e["name"] for e in thread["elements"] if e.get("forId") == cards[0]["id"]}
                return (
                    thread
                    if all(any(n.endswith(w) for n in names) for w in ("scores", ".html", ".md", "transcript.json"))
                    else None
                )

            thread = await again.wait_for(stored, timeout=30, what="the full scorecard, stored")
            card = next(s for s in thread["steps"] if str(s.get("output", "")).startswith(SCORECARD))

            def shown() -> bool:  # on the page: in the resumed history, or sent again
                sent = [m for m in again.messages() if m["output"].startswith(SCORECARD)]
                kept = [s for e, d in again.events if e == "resume_thread" for s in d["steps"] if s["id"] == card["id"]]
                return bool(sent or kept)

            await again.wait_for(shown, what="the scorecard on the page")
            await again.wait_for(lambda: again.actions("practice_again"), what="Practice again")
            for element in thread["elements"]:
                if element.get("forId") == card["id"] and element["type"] == "file":
                    r = httpx.get(srv.base + element["url"], headers={"Cookie": cookie}, timeout=10)
                    assert r.status_code == 200 and r.content, element["name"]
            await again.click("show_progress")
            await again.wait_for(
                lambda: any("1 scored interview" in m["output"] or "1 interview ended before the close" in m["output"]
                            for m in again.messages()), what="progress: one row"
            )
        finally:
            await again.close()
    finally:
        srv.stop()
