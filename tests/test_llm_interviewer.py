"""The LLM interviewer with LangChain's scripted fake model: the session leads, the model words,
one question per turn, and nothing is committed unless wording succeeded."""

from __future__ import annotations

import asyncio

import pytest

from agent.interview import Conversation
from agent.llm.config import Settings
from agent.llm.interviewer import LLMInterviewer
from agent.llm.resilience import LLMError
from agent.models import Context
from agent.session import InterviewSession, Move
from tests.fakes.chat_model import scripted
from tests.fakes.fixtures import quick_policy


def make(*replies: str, **kw) -> LLMInterviewer:
    return LLMInterviewer(Settings(api_key="unused", **kw), model=scripted(*replies), policy=quick_policy())


def _started() -> InterviewSession:
    s = InterviewSession.new("ceo", Context(company="Alder Freight"))
    s.commit(s.next_move(), "Welcome. How do you earn a new team's trust?")
    s.add_candidate("I listen first and give credit where it's due.")
    return s


def test_the_session_decides_and_the_model_words_the_opening():
    iv = make("Hello, I'm Dana. Tell me, how do you earn the trust of a new team?")
    session = InterviewSession.new("ceo", Context(company="Alder Freight"))
    text = iv.respond(session)
    assert session.state.moves[-1].kind == "opening" and session.state.turns[-1].text == text
    assert session.state.turns[-1].topic == "team_fit"  # type: ignore[attr-defined]
    assert "Alder Freight" in iv.requests[0][0][1]  # company context in the system prompt


def test_two_questions_are_repaired_to_the_last_one():
    iv = make("Interesting. Did you like that? How would you approach change at Alder Freight?")
    text = iv.respond(_started())
    assert text == "Interesting. How would you approach change at Alder Freight?"


def test_the_close_carries_no_question():
    iv = make("Thanks for your time. Any questions? We'll be in touch this week.")
    session = _started()
    text = iv.respond(session, session.end_move())
    assert "?" not in text and session.closed


def test_a_close_with_only_a_question_falls_back_to_the_personas_closing_line():
    iv = make("Anything else?")
    session = _started()
    text = iv.respond(session, session.end_move())
    assert text and "?" not in text and session.closed


def test_speaker_labels_are_stripped():
    iv = make("Dana Whitfield: Thanks. What did your last team teach you?")
    assert iv.respond(_started()) == "Thanks. What did your last team teach you?"


def test_empty_replies_are_retried_then_a_clear_error_with_nothing_committed():
    iv = make("", "", "", retries=2)
    session = _started()
    before = session.to_json()
    with pytest.raises(LLMError, match="empty turn"):
        iv.respond(session)
    assert session.to_json() == before


def test_astream_with_the_scripted_model_streams_and_commits():
    iv = make("Good. Tell me about a change you led. What happened?")
    session = _started()

    async def run() -> list[str]:
        return [c async for c in iv.astream(session)]

    chunks = asyncio.run(run())
    assert len(chunks) > 1
    assert "".join(chunks).strip() == session.state.turns[-1].text
    assert session.state.turns[-1].text == "Good. Tell me about a change you led. What happened?"


def test_a_given_move_is_worded_not_replaced():
    iv = make("Hold on. What would you need to learn first?")
    session = _started()
    move = Move(kind="pushback", topic="team_fit", reason="told_how_to_run_business", quote="fire the sales team")
    iv.respond(session, move)
    assert session.state.moves[-1] == move
    assert "fire the sales team" in iv.requests[-1][-1][1]


def test_a_whole_interview_keeps_one_question_per_turn_and_counts_tokens():
    replies = [f"Thank you. Question number {i}? And another one?" for i in range(30)]
    iv = make(*replies)
    convo = Conversation.start("board_member", Context(company="Alder Freight"), iv, length=2)
    for line in ["I refused to backdate an invoice and told the CFO.", "Six years each in my last two roles.",
                 "What keeps you up at night?", "Would you recommend me for the next conversation?"]:
        if convo.closed:
            break
        convo.reply(line)
    if not convo.closed:
        convo.end()
    assert convo.closed
    texts = convo.session.interviewer_texts()
    assert all(t.count("?") <= 1 for t in texts)
    assert texts[-1].count("?") == 0  # the close
    assert len(iv.ledger.calls) == len(texts)
    assert all(c.input_tokens > 0 and not c.reported for c in iv.ledger.calls)  # the fake reports no usage


def test_astream_at_the_close_holds_sentences_and_never_shows_a_question():
    iv = make("Thank you for coming in today, it was a pleasure. Any last thoughts? We will be in touch soon.")
    session = _started()

    async def run() -> list[str]:
        return [c async for c in iv.astream(session, session.end_move())]

    chunks = asyncio.run(run())
    text = "".join(chunks).strip()
    assert text == session.state.turns[-1].text
    assert text == "Thank you for coming in today, it was a pleasure. We will be in touch soon."
    assert session.closed
