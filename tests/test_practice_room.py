"""Issue 10 in the room, handler by handler (Chainlit mocked as in `test_app_handlers`): the practice loop
with before/after, the review under the scorecard, an interview cut short marked incomplete, settings that
stay, and the calmer page."""

from __future__ import annotations

# isort: off
import tests.e2e.appenv  # noqa: F401  (first: Chainlit must not touch the repository)

# isort: on
import json

import chainlit.data as cl_data
import pytest
from chainlit.user_session import user_sessions

from agent import app
from agent.models import Transcript
from agent.offline.scorer import score
from agent.web import chrome, practice, preferences, room, views
from tests.conftest import ROOT
from tests.e2e.fakes import chainlit_session, close_layer, installed_data_layer
from tests.helpers import TEN_LINES

BOARD = "Richard Okafor"
GOOD = (
    "I'd stay because the work matters: at Corvid I stayed six years, and my team, not me, deserves the credit "
    "for what we built. I'd want to learn how your board thinks about the next five years."
)


@pytest.fixture(autouse=True)
def no_data_layer(monkeypatch):
    monkeypatch.setattr(cl_data, "_data_layer", None)
    monkeypatch.setattr(cl_data, "_data_layer_initialized", True)


def _msg(text: str):
    import chainlit as cl

    return cl.Message(content=text, type="user_message", author="User")


async def _act(callback, payload: dict | None = None, name: str = "x") -> None:
    import chainlit as cl

    await callback(cl.Action(name=name, payload=payload or {}))


async def _ended_early(s) -> None:
    await _act(app._begin, {"length": 2}, room.START)
    await app._message(_msg(TEN_LINES[0]))
    await _act(app._end, name=room.END)


async def test_a_redo_is_asked_again_scored_for_its_question_shown_before_and_after_and_changes_no_score():
    async with chainlit_session(settings={"company": "Alder Freight", "role": "COO"}) as s:
        await _ended_early(s)
        card_before = json.dumps(user_sessions[s.mock.id][room.SCORECARD], sort_keys=True)
        weakest = s.actions(practice.ACTION)[0]
        assert weakest["label"] == "Try that answer again"
        turns_before = len(s.state().state.turns)
        await _act(app._try_again, weakest["payload"], practice.ACTION)
        asked = s.messages(BOARD)[-1]
        assert asked.startswith("Let's take that one again.") and len(asked) > len("Let's take that one again.") + 10
        await app._message(_msg(GOOD))
        session = s.state()
        redo = session.state.turns[turns_before:]
        assert [t.speaker for t in redo] == ["interviewer", "candidate"]
        assert all(getattr(t, "redo_of", None) == weakest["payload"]["turn"] for t in redo)  # kept, marked
        after = s.messages()[-1]
        assert after.startswith("### Before and after") and "| Verdict |" in after and "| Before | After |" in after
        assert GOOD[:40] in after
        # the interview's scores are untouched: the stored card, and a fresh score of the whole transcript
        assert json.dumps(user_sessions[s.mock.id][room.SCORECARD], sort_keys=True) == card_before
        rescored = score(session.transcript()).to_json_dict()
        assert json.dumps(rescored, sort_keys=True) == card_before
        names = [e["name"] for e in s.elements()]
        assert names[-1].endswith("-practice.html")  # the report with the redo in it
        practice_report = next(e for e in s.elements() if e["name"].endswith("-practice.html"))
        assert practice_report["mime"] == "text/html"
        assert s.actions(practice.ACTION)[-1]["label"] == "Try it once more"


async def test_the_review_sits_under_the_scorecard_collapsed_with_a_button_per_answer():
    async with chainlit_session() as s:
        await _ended_early(s)
        review = next(m for m in s.messages() if m.startswith("### Answer by answer"))
        assert "| # | Topic | Verdict | Coaching |" in review and "Integrity" in review
        step = next(d for e, d in s.events if e in ("new_message", "update_message") and d.get("type") == "tool")
        assert step["name"] == practice.REVIEW_STEP and not step.get("defaultOpen")
        assert "Coaching:" in step["output"] and TEN_LINES[0][:30] in step["output"].replace("\\", "")
        assert any(a["label"] == "Try answer 1 again" for a in s.actions(practice.ACTION))


async def test_an_interview_cut_short_is_incomplete_close_not_reached_not_a_failed_ask():
    async with chainlit_session() as s:
        await _ended_early(s)
        card = user_sessions[s.mock.id][room.SCORECARD]
        assert card["complete"] is False
        text = next(m for m in s.messages() if m.startswith("## Your scorecard"))
        assert "close not reached" in text and "did not ask" not in text and "Incomplete interview" in text


async def test_a_redo_before_the_interview_is_scored_is_refused():
    async with chainlit_session() as s:
        await _act(app._begin, {}, room.START)
        await _act(app._try_again, {"turn": 1}, practice.ACTION)
        assert "Finish the interview first" in s.messages()[-1]


async def test_settings_are_confirmed_kept_for_the_user_and_carried_into_the_next_interview(tmp_path, monkeypatch):
    layer, alice = await installed_data_layer(tmp_path, monkeypatch)
    chosen = {
        "company": "Alder Freight",
        "role": "COO",
        "industry": "logistics",
        "job_description": "Run the depots.",
        "length": 2,
    }
    async with chainlit_session(user=alice, profile="The CEO") as s:
        await app._start()
        s.mock.chat_settings = dict(chosen)
        await app._settings(dict(chosen))
        assert ("toast", {"message": "Settings saved for your next interviews.", "type": "success"}) in s.events
        assert "Settings saved for **COO** at **Alder Freight**" in s.messages()[-1]
        await _act(app._begin, {}, room.START)
    assert (await preferences.load(layer.engine, "alice"))["persona"] == "ceo"
    async with chainlit_session(user=alice, profile="The CEO", settings={}) as s2:  # a new chat, days later
        await app._start()
        panel = {w["id"]: w["initial"] for e, d in s2.events if e == "chat_settings" for w in d}
        assert panel["company"] == "Alder Freight" and panel["job_description"] == "Run the depots."
        assert panel["length"] == 2
        assert "Alder Freight" in s2.messages()[0]
        await _act(app._begin, {}, room.START)
        st = s2.state().state
        assert st.context.company == "Alder Freight" and st.length == 2
    profiles = await room.profiles_for(alice)
    assert [p.default for p in profiles] == [True, False]  # the CEO, as last used
    await close_layer(layer)


async def test_a_typed_first_message_still_starts_and_progress_is_a_button():
    async with chainlit_session() as s:
        await app._start()
        await app._message(_msg("hello"))
        assert s.messages(BOARD) and s.actions(room.END)


def test_the_page_wording_replaces_chainlit_boilerplate(tmp_path, monkeypatch):
    import chainlit.config as cfg

    monkeypatch.setattr(cfg, "config_translation_dir", str(tmp_path))
    path = chrome.install(is_llm=False)
    assert path is not None
    t = json.loads(path.read_text())
    assert t["chat"]["watermark"].startswith("Offline practice") and "LLMs" not in t["chat"]["watermark"]
    assert t["chat"]["messages"]["status"]["used"] == ""
    assert "Customize" not in t["chat"]["settings"]["customize"]
    assert "clear" not in t["navigation"]["newChat"]["dialog"]["description"]
    assert "language model" in chrome.overrides(True)["chat.watermark"]
    assert "confirm_new_chat = false" in (ROOT / ".chainlit" / "config.toml").read_text()


def test_welcome_and_header_speak_to_the_candidate():
    from agent.plan import load_persona

    text = views.welcome(load_persona("ceo"), {})
    assert "make run" not in text and "OPENAI" not in text and "saved for you alone" in text


def test_redo_turns_are_left_out_of_the_listener_and_reports_carry_them(sample):
    from agent import review as rv
    from agent.report import render_markdown
    from agent.report_html import render_html

    t = Transcript.model_validate(sample)
    before = score(t).to_json_dict()
    t.turns += rv.redo_turns("How would you get to know the plant managers here?", "team_fit", GOOD, of=1)
    assert score(t).to_json_dict() == before
    md, html = render_markdown(score(t), t), render_html(score(t), t)
    assert "## Practice: answers tried again" in md and "Practice: answers tried again" in html
    assert "| Before | After |" in md


def test_an_ask_is_answered_with_one_closing_not_two_stitched_together():
    from agent.offline.interviewer import FAREWELLS, OfflineInterviewer
    from agent.plan import load_persona
    from agent.session import InterviewSession, Move

    for seed in range(6):
        s = InterviewSession.new("ceo", seed=seed)
        OfflineInterviewer().respond(s)
        s.add_candidate("Would you feel confident recommending me for the next conversation?")
        text = OfflineInterviewer().phrase(s, Move(kind="close", reason="job_ask")).text
        assert not any(c.split(".")[0] in text for c in load_persona("ceo").closings), text
        assert any(text.endswith(f.split("{")[-1].split("}")[-1]) for f in FAREWELLS)
