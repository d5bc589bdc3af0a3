"""The Chainlit handlers in `agent/app.py`, driven with Chainlit's context mocked the way Chainlit's own
backend tests do it (`backend/tests/conftest.py`): a `Mock(spec=WebsocketSession)` whose `emit` records
every event the page would receive."""

from __future__ import annotations

# isort: off
import tests.e2e.appenv  # noqa: F401  (first: Chainlit must not touch the repository)

# isort: on
import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import chainlit.data as cl_data
import pytest
from chainlit.user_session import user_sessions

from agent import app
from agent.offline.interviewer import OfflineInterviewer
from agent.session import InterviewSession, Move
from agent.web import practice, room, views
from tests.conftest import ROOT
from tests.e2e.fakes import chainlit_session, close_layer, installed_data_layer
from tests.helpers import TEN_LINES

BOARD = "Richard Okafor"
CEO = "Dana Whitfield"


@pytest.fixture(autouse=True)
def no_data_layer(monkeypatch):
    """Most handler tests need no database: Chainlit's lookup returns None."""
    monkeypatch.setattr(cl_data, "_data_layer", None)
    monkeypatch.setattr(cl_data, "_data_layer_initialized", True)


def _user_message(text: str) -> Any:
    import chainlit as cl

    return cl.Message(content=text, type="user_message", author="User")


async def _click(name: str, payload: dict | None = None) -> None:
    import chainlit as cl

    callbacks = {room.END: app._end, room.RETRY: app._retry, room.AGAIN: app._again, room.PROGRESS: app._progress}
    await callbacks[name](cl.Action(name=name, payload=payload or {}))


async def test_chat_start_shows_settings_and_a_welcome_with_start_buttons_no_fake_user_line():
    async with chainlit_session() as s:
        await app._start()
        names = [e for e, _ in s.events]
        assert "chat_settings" in names
        (welcome,) = s.messages()
        assert "humility" in welcome and "No company or role set" in welcome  # says what it will use instead
        assert [a["label"] for a in s.actions(room.START)] == ["Start the interview", "Short practice (2 topics)"]
        assert s.actions(room.PROGRESS)
        assert not [d for e, d in s.events if e == "new_message" and d.get("type") == "user_message"]
        widgets = {w["id"] for _, d in s.events if _ == "chat_settings" for w in d}
        assert {"company", "industry", "role", "job_description", "length"} <= widgets
        assert "model" not in widgets  # only where an LLM is configured


async def test_profiles_and_starters():
    profiles = await app._profiles(None, "en-US")
    assert [p.name for p in profiles] == ["The CEO", "The board member"]
    assert all("OPENAI_API_KEY" not in p.markdown_description for p in profiles)
    assert all(not p.starters for p in profiles)  # no fake "I'm ready" user bubble: buttons start
    assert [p.default for p in profiles] == [True, False]
    assert [p.default for p in room.chat_profiles("board_member")] == [False, True]  # the last persona stays


def test_a_socket_connect_takes_the_global_config_without_a_nested_event_loop():
    """`serving.config_without_profile_overrides` holds only while no profile overrides the config."""
    from chainlit.config import config
    from chainlit.session import WebsocketSession

    assert all(p.config_overrides is None for p in room.chat_profiles()) and all(
        p.config_overrides is None for p in room.chat_profiles("board_member")
    )
    session = WebsocketSession.__new__(WebsocketSession)
    session.chat_profile = "The board member"
    assert session.get_config() is config  # no call to the profiles callback, no run_until_complete


async def test_the_interviewer_speaks_first_streams_and_offers_end():
    async with chainlit_session() as s:
        await app._start()
        s.mock.chat_settings = {"company": "Alder Freight", "role": "COO", "length": 3}  # edited in the page
        await app._settings(s.mock.chat_settings)
        await app._message(_user_message(views.START))
        st = s.state()
        assert [t.speaker for t in st.state.turns] == ["interviewer"] and st.state.length == 3
        assert [e for e, _ in s.events].count("stream_start") == 1
        opening = s.messages(BOARD)
        assert len(opening) == 1 and "Alder Freight" in opening[0]
        assert len(s.actions(room.END)) == 1


async def test_each_answer_gets_one_question_and_the_end_button_moves_on():
    async with chainlit_session() as s:
        await app._message(_user_message(views.START_SHORT))
        for line in TEN_LINES[:2]:
            await app._message(_user_message(line))
        st = s.state().state
        assert [t.speaker for t in st.turns] == ["interviewer", "candidate", "interviewer", "candidate", "interviewer"]
        assert all(t.text.count("?") <= 1 for t in st.turns if t.speaker == "interviewer")
        removed = [d["id"] for e, d in s.events if e == "remove_action"]
        assert removed == [a["id"] for a in s.actions(room.END)[:-1]]  # only the latest question keeps it


async def test_end_scores_in_a_visible_step_then_one_scorecard_with_chart_and_downloads():
    async with chainlit_session(settings={"company": "Alder Freight", "role": "COO"}) as s:
        await app._message(_user_message(views.START))
        await app._message(_user_message(TEN_LINES[0]))
        await _click(room.END)
        assert s.state().closed
        steps = [d for e, d in s.events if e in ("new_message", "update_message") and d.get("type") == "tool"]
        assert [st["name"] for st in steps] == [practice.REVIEW_STEP]  # no "Used Scoring the interview"
        cards = [m for m in s.messages() if m.startswith("## Your scorecard")]
        assert len(cards) == 1
        day = date.today().isoformat()
        stem = f"interview-alder-freight-coo-{day}"
        assert [(e["type"], e["name"]) for e in s.elements()] == [  # the same order every time
            ("plotly", "scores"),
            ("file", f"{stem}.html"),
            ("file", f"{stem}.md"),
            ("file", f"{stem}-transcript.json"),
            ("file", f"{stem}-scorecard.json"),
        ]
        assert s.actions(room.AGAIN) and s.actions(room.PROGRESS)
        assert s.actions(practice.ACTION)[0]["label"] == "Try that answer again"
        card = user_sessions[s.mock.id][room.SCORECARD]
        assert set(card["criteria"]) == {"humility", "curiosity", "asked_for_job"}


async def test_a_finished_interview_scores_itself():
    async with chainlit_session() as s:
        await app._message(_user_message(views.START))
        for line in TEN_LINES + ["Thanks, no more questions."] * 4:
            if s.state().closed:
                break
            await app._message(_user_message(line))
        assert s.state().closed and any(m.startswith("## Your scorecard") for m in s.messages())


class Flaky(OfflineInterviewer):
    """Fails the next `fail` turns half-way through the stream, as a dropped model connection would."""

    def __init__(self, fail: int = 1):
        self.fail = fail

    async def astream(self, session: InterviewSession, move: Move | None = None) -> AsyncIterator[str]:
        if self.fail:
            self.fail -= 1
            yield "Let me "
            raise ConnectionError("model server went away")
        async for chunk in super().astream(session, move):
            yield chunk


async def test_a_failed_turn_keeps_the_transcript_and_retry_repeats_it(monkeypatch):
    flaky = Flaky(fail=0)
    monkeypatch.setattr(room, "_interviewer", lambda engine, model: flaky)
    async with chainlit_session() as s:
        await app._message(_user_message(views.START))
        flaky.fail = 1
        await app._message(_user_message(TEN_LINES[0]))
        st = s.state().state
        assert [t.speaker for t in st.turns] == ["interviewer", "candidate"]  # the answer is kept
        assert not any("Let me" in m for m in s.messages(BOARD))  # the half-streamed turn is gone
        assert "model server went away" in s.messages()[-1] and "Retry" in s.messages()[-1]
        assert s.actions(room.RETRY)[-1]["payload"] == {"what": "turn"}
        await app._message(_user_message("hello?"))  # typing again doesn't lose or duplicate anything
        assert len(s.state().state.turns) == 2 and "Press Retry" in s.messages()[-1]
        await _click(room.RETRY, {"what": "turn"})
        assert [t.speaker for t in s.state().state.turns] == ["interviewer", "candidate", "interviewer"]
        assert user_sessions[s.mock.id][room.PENDING] is None


async def test_a_failed_close_is_retried_as_a_close(monkeypatch):
    flaky = Flaky(fail=0)
    monkeypatch.setattr(room, "_interviewer", lambda engine, model: flaky)
    async with chainlit_session() as s:
        await app._message(_user_message(views.START))
        flaky.fail = 1
        await _click(room.END)
        assert not s.state().closed and user_sessions[s.mock.id][room.PENDING] == "end"
        await _click(room.RETRY, {"what": "end"})
        assert s.state().closed and any(m.startswith("## Your scorecard") for m in s.messages())


async def test_a_failed_scoring_offers_retry(monkeypatch):
    calls = {"n": 0}

    class Broken:
        name = "offline"

        def score(self, transcript):
            calls["n"] += 1
            raise TimeoutError("judge timed out")

    from agent.engines import get_scorer as real

    monkeypatch.setattr(room, "get_scorer", lambda engine, model: Broken())
    async with chainlit_session() as s:
        await app._message(_user_message(views.START))
        await _click(room.END)
        assert "judge timed out" in s.messages()[-1] and s.actions(room.RETRY)[-1]["payload"] == {"what": "score"}
        monkeypatch.setattr(room, "get_scorer", real)
        await _click(room.RETRY, {"what": "score"})
        assert any(m.startswith("## Your scorecard") for m in s.messages())


async def test_candidate_html_is_never_echoed_as_markup(monkeypatch):
    hostile = '<script>window.pwned=1</script><img src=x onerror="alert(1)"> ![x](http://evil.test/x.png)'
    async with chainlit_session(settings={"company": hostile}) as s:
        await app._message(_user_message(views.START))
        await app._message(_user_message(hostile))
        await _click(room.END)
        for text in s.messages():
            if text == hostile:
                continue
            assert re.search(r"(?<!\\)(<|!\[)", text) is None, text  # no live tag or image, only escaped text


async def test_settings_change_before_the_first_answer_restarts_with_them():
    async with chainlit_session(settings={"company": "Alder Freight"}) as s:
        await app._message(_user_message(views.START))
        s.mock.chat_settings = {"company": "Birch Mills"}
        await app._settings({"company": "Birch Mills"})
        assert s.state().state.context.company == "Birch Mills"
        assert "Birch Mills" in s.messages(BOARD)[-1]
        await app._message(_user_message(TEN_LINES[0]))
        await app._settings({"company": "Cedar"})
        assert s.state().state.context.company == "Birch Mills" and "next interview" in s.messages()[-1]


async def test_practice_again_opens_a_new_interview_thread():
    async with chainlit_session(profile="The CEO") as s:
        await app._message(_user_message(views.START))
        await _click(room.END)
        await _click(room.AGAIN)
        assert ("window_message", {"mockInterview": "new-interview"}) in s.events  # the page opens a new chat
        assert s.state().closed  # this thread keeps its interview
        script = (ROOT / "public" / "mock-interview.js").read_text()
        assert "new-interview" in script and "new-chat-button" in script


def _thread(keep: dict, steps: list[dict] | None = None) -> dict:
    return {"id": "t", "metadata": json.dumps(keep), "steps": steps or [], "elements": []}


def _steps(s) -> list[dict]:
    """The messages a session showed, as the thread's saved steps."""
    seen: dict[str, dict] = {}
    for event, data in s.events:
        if event in ("new_message", "update_message"):
            seen[data["id"]] = data
    return list(seen.values())


async def _resume(thread: dict) -> None:
    await app._resume(thread)
    await asyncio.gather(*room.background_tasks())


@pytest.fixture(autouse=True)
def quick_resume(monkeypatch):
    monkeypatch.setattr(room, "RESUME_DELAY", 0)


async def test_resume_waiting_for_an_answer_restores_every_turn_and_the_end_button():
    async with chainlit_session() as s:
        await app._message(_user_message(views.START))
        await app._message(_user_message(TEN_LINES[0]))
        keep = {k: user_sessions[s.mock.id][k] for k in room.STATE_KEYS}
        before = s.state().to_dict()
        steps = _steps(s)
    last_question = [m["id"] for m in steps if m["name"] == BOARD][-1]
    # A new browser session on a restarted server: Chainlit restores the user session from the
    # thread's metadata, then calls on_chat_resume.
    async with chainlit_session(keep=keep, settings={"company": "Birch Mills", "length": 3}) as s2:
        await _resume(_thread(keep, steps))
        assert s2.state().to_dict() == before
        assert not s2.messages()  # nothing new in the history: the page already shows the thread
        panel = {w["id"]: w["initial"] for e, d in s2.events if e == "chat_settings" for w in d}
        assert panel["company"] == "Birch Mills" and panel["length"] == 3  # the settings panel comes back
        assert [a["forId"] for a in s2.actions(room.END)] == [last_question]
        await app._message(_user_message(TEN_LINES[1]))
        assert len(s2.state().state.turns) == len(before["turns"]) + 2


async def test_resume_after_a_crash_mid_turn_lets_the_interviewer_answer():
    session = InterviewSession.new("ceo")
    OfflineInterviewer().respond(session)
    session.add_candidate(TEN_LINES[0])
    keep = {room.INTERVIEW: session.to_dict(), room.ENGINE: {"engine": "offline", "model": None}}
    async with chainlit_session(profile="The CEO") as s:  # metadata only, as a fresh process would see it
        await _resume(_thread(keep))
        assert [t.speaker for t in s.state().state.turns] == ["interviewer", "candidate", "interviewer"]
        assert len(s.messages(CEO)) == 1


async def test_resume_a_scored_interview_puts_its_buttons_back():
    async with chainlit_session() as s:
        await app._message(_user_message(views.START))
        await _click(room.END)
        keep = {k: user_sessions[s.mock.id][k] for k in room.STATE_KEYS}
        steps = _steps(s)
    card = [m["id"] for m in steps if m["output"].startswith("## Your scorecard")][-1]
    async with chainlit_session(keep=keep) as s2:
        await _resume(_thread(keep, steps))
        assert [a["forId"] for a in s2.actions(room.AGAIN)] == [card] and not s2.messages()


async def test_progress_without_a_data_layer_says_why():
    async with chainlit_session() as s:
        await app._message(_user_message(views.SHOW_PROGRESS))
        assert "saved history" in s.messages()[-1]


async def test_history_is_written_through_and_progress_is_charted(tmp_path, monkeypatch):

    layer, persisted = await installed_data_layer(tmp_path, monkeypatch)
    async with chainlit_session(user=persisted) as s:
        await layer.update_thread(s.mock.thread_id, user_id=persisted.id)
        await app._message(_user_message(views.START))
        await app._message(_user_message(TEN_LINES[0]))
        thread = await layer.get_thread(s.mock.thread_id)
        meta = thread["metadata"]  # an object, as the page needs it (SQLite stores text)
        assert InterviewSession.from_json(meta[room.INTERVIEW]).to_dict() == s.state().to_dict()
        assert thread["name"].startswith("The board member · Halden & Rowe · ")  # persona, company, date
        await _click(room.END)
        await _click(room.PROGRESS)
        assert "No complete interview" in s.messages()[-1] and "ended before the close" in s.messages()[-1]
        assert [e["name"] for e in s.elements()][-1] == "progress"
    await close_layer(layer)


def test_oauth_is_offered_only_when_a_provider_is_configured(monkeypatch):
    from agent.web import auth

    assert auth.oauth_providers() == []
    monkeypatch.setenv("OAUTH_GITHUB_CLIENT_ID", "id")
    monkeypatch.setenv("OAUTH_GITHUB_CLIENT_SECRET", "secret")
    assert auth.oauth_providers() == ["github"]


async def test_sign_in_callbacks_match_the_configuration():
    from chainlit.config import config

    # the test process has no users and no OAuth configured: one local user, signed in automatically
    assert config.code.password_auth_callback is None and config.code.header_auth_callback is not None
    user = await app._local_login({})
    assert user is not None and user.identifier == "you"


async def test_a_failed_opening_can_be_retried_or_restarted_with_new_settings(monkeypatch):
    flaky = Flaky(fail=1)
    monkeypatch.setattr(room, "_interviewer", lambda engine, model: flaky)
    async with chainlit_session() as s:
        await app._message(_user_message(views.START))
        assert s.state().state.turns == [] and s.actions(room.RETRY)
        flaky.fail = 1
        await app._settings({"company": "Birch Mills"})  # still nothing answered: start over, fails again
        assert s.state().state.turns == []
        await _click(room.RETRY, {"what": "turn"})
        assert [t.speaker for t in s.state().state.turns] == ["interviewer"]


async def test_a_second_resume_of_the_same_session_adds_nothing_and_never_scores_twice():
    async with chainlit_session() as s:
        await app._message(_user_message(views.START))
        await app._message(_user_message(TEN_LINES[0]))
        keep = {k: user_sessions[s.mock.id][k] for k in room.STATE_KEYS}
        steps = _steps(s)
    async with chainlit_session(keep=keep) as s2:
        await _resume(_thread(keep, steps))
        await _click(room.END)  # scored once
        await _resume(_thread(keep, steps))  # the page reconnects the same session with the old snapshot
        assert len(s2.actions(room.END)) == 1
        assert sum(m.startswith("## Your scorecard") for m in s2.messages()) == 1
