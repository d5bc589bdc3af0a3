"""Every fault a model server can throw, through the real openai client and LangChain stack.

Each test ends in recovery (bounded retries, then the turn is committed) or in one clear
`LLMError` with the session exactly as it was, so the same turn can be asked for again.
"""

from __future__ import annotations

import asyncio
import json

import jsonschema
import pytest

from agent.interview import Conversation
from agent.llm.resilience import LLMError
from agent.models import Context, Transcript
from tests.conftest import SAMPLE
from tests.fakes.fixtures import collect, interviewer_for, scorer_for, session_after_first_answer
from tests.fakes.openai_server import FakeOpenAI, fault, reply

LINE = "Thanks for having me. What would you like to know first?"




RECOVERABLE = [
    pytest.param(fault("timeout", retry_after=2.0), id="timeout"),
    pytest.param(fault("429", retry_after=1), id="429-retry-after"),
    pytest.param(fault("500"), id="500"),
    pytest.param(fault("503"), id="503"),
    pytest.param(fault("drop"), id="dropped-connection"),
    pytest.param(fault("malformed"), id="malformed-json-body"),
    pytest.param(fault("refusal"), id="refusal"),
]


@pytest.mark.parametrize("step", RECOVERABLE)
def test_respond_recovers_from_one_fault(fake_openai: FakeOpenAI, step):
    fake_openai.script(step, reply("That helps. How would you bring change to a team that works well?"))
    iv = interviewer_for(fake_openai, timeout=0.5)
    session = session_after_first_answer()
    text = iv.respond(session)
    assert text.endswith("?") and text.count("?") == 1
    assert session.state.turns[-1].text == text
    assert len(fake_openai.requests) == 2
    assert len(iv.policy.waits) == 1


def test_429_waits_as_long_as_retry_after_says(fake_openai: FakeOpenAI):
    fake_openai.script(fault("429", retry_after=3), reply(LINE))
    iv = interviewer_for(fake_openai)
    iv.respond(session_after_first_answer())
    assert iv.policy.waits == [3.0]


def test_a_retry_after_too_long_is_a_clear_error_not_a_hang(fake_openai: FakeOpenAI):
    fake_openai.script(fault("429", retry_after=600))
    iv = interviewer_for(fake_openai)
    session = session_after_first_answer()
    before = session.to_json()
    with pytest.raises(LLMError, match="wait 600s"):
        iv.respond(session)
    assert session.to_json() == before


@pytest.mark.parametrize("kind", ["timeout", "429", "500", "drop", "malformed", "refusal"])
def test_respond_gives_up_after_bounded_retries_and_keeps_the_session(fake_openai: FakeOpenAI, kind):
    step = fault(kind, retry_after=0) if kind != "timeout" else fault(kind, retry_after=1.0)
    fake_openai.script(step, step, step, reply(LINE))
    iv = interviewer_for(fake_openai, timeout=0.3, retries=2)
    session = session_after_first_answer()
    before = session.to_json()
    with pytest.raises(LLMError) as info:
        iv.respond(session)
    message = str(info.value)
    assert "\n" not in message and "after 3 attempts" in message
    assert session.to_json() == before  # nothing committed
    assert len(fake_openai.requests) == 3  # bounded: 1 + 2 retries
    # The same turn can be asked for again, and now it works.
    text = iv.respond(session)
    assert session.state.turns[-1].text == text and session.state.turns[-1].speaker == "interviewer"


def test_astream_yields_tokens_and_commits_what_was_shown(fake_openai: FakeOpenAI):
    fake_openai.script(reply("Good answer. Tell me about a change you led that met resistance?"))
    iv = interviewer_for(fake_openai)
    session = session_after_first_answer()
    chunks = collect(iv.astream(session))
    assert len(chunks) > 3
    assert "".join(chunks).strip() == session.state.turns[-1].text
    assert fake_openai.requests[-1]["stream"] is True


@pytest.mark.parametrize("step", [fault("500"), fault("drop"), fault("429", retry_after=0), fault("refusal")],
                         ids=["500", "drop", "429", "refusal"])
def test_astream_retries_failures_before_anything_was_shown(fake_openai: FakeOpenAI, step):
    fake_openai.script(step, reply(LINE))
    iv = interviewer_for(fake_openai)
    session = session_after_first_answer()
    chunks = collect(iv.astream(session))
    assert "".join(chunks).strip() == session.state.turns[-1].text == LINE


def test_a_stream_that_dies_half_way_is_a_clear_error_and_the_turn_can_be_retried(fake_openai: FakeOpenAI):
    long_line = "Thank you for that answer, it was useful to hear how you think about the people you lead. " * 3
    fake_openai.script(fault("half_stream", text=long_line + "What would you change first?"), reply(LINE))
    iv = interviewer_for(fake_openai)
    session = session_after_first_answer()
    before = session.to_json()
    shown: list[str] = []

    async def run() -> None:
        async for chunk in iv.astream(session):
            shown.append(chunk)

    with pytest.raises(LLMError, match="incomplete"):
        asyncio.run(run())
    assert shown  # part of the turn had been shown before the stream died
    assert session.to_json() == before
    chunks = collect(iv.astream(session))
    assert "".join(chunks).strip() == LINE == session.state.turns[-1].text


def test_conversation_reply_failure_keeps_the_candidate_turn_and_retry_works(fake_openai: FakeOpenAI):
    iv = interviewer_for(fake_openai, retries=0)
    convo = Conversation.start("ceo", Context(company="Alder Freight"), iv)
    fake_openai.script(fault("503"))
    with pytest.raises(LLMError):
        convo.reply("I would start by listening.")
    turns = convo.transcript().turns
    assert turns[-1].speaker == "candidate" and turns[-1].text == "I would start by listening."
    assert convo.retry()
    assert convo.transcript().turns[-1].speaker == "interviewer"


# --- the judge ------------------------------------------------------------------------------------
def _card_json(card) -> dict:
    return json.loads(json.dumps(card.to_json_dict()))


@pytest.mark.parametrize("step", RECOVERABLE[:5])
def test_judge_recovers_from_transport_faults(fake_openai: FakeOpenAI, scorecard_schema, step):
    fake_openai.script(step)
    card = scorer_for(fake_openai, timeout=0.5).score(Transcript.model_validate(SAMPLE))
    jsonschema.validate(_card_json(card), scorecard_schema)
    # The fake server's stock answers can't name the topics the listener raised, so only those may be unscored.
    assert set(card.unscored) <= {"risk_topics"}  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["bad_json", "refusal", "malformed"])
def test_judge_retries_unreadable_answers_then_recovers(fake_openai: FakeOpenAI, scorecard_schema, kind):
    fake_openai.script(fault(kind))
    card = scorer_for(fake_openai).score(Transcript.model_validate(SAMPLE))
    jsonschema.validate(_card_json(card), scorecard_schema)
    # The fake server's stock answers can't name the topics the listener raised, so only those may be unscored.
    assert set(card.unscored) <= {"risk_topics"}  # type: ignore[attr-defined]


def test_judge_that_never_answers_validly_leaves_the_criterion_unscored(fake_openai: FakeOpenAI, scorecard_schema):
    fake_openai.script(fault("bad_json"), fault("bad_json"), fault("bad_json"))  # all three humility attempts
    card = scorer_for(fake_openai).score(Transcript.model_validate(SAMPLE))
    data = _card_json(card)
    jsonschema.validate(data, scorecard_schema)
    assert [c for c in data["unscored"] if c != "risk_topics"] == ["humility"]
    assert data["criteria"]["humility"]["rationale"].startswith("unscored by the judge; offline fallback")
    assert "3 attempts" in data["unscored_reasons"]["humility"]


def test_judge_gives_a_clear_error_when_the_server_stays_down(fake_openai: FakeOpenAI):
    fake_openai.script(*[fault("503")] * 3)
    with pytest.raises(LLMError, match=r"judge \(humility\) failed after 3 attempts.*HTTP 503"):
        scorer_for(fake_openai).score(Transcript.model_validate(SAMPLE))


def test_unreachable_server_is_one_clear_line():
    server = FakeOpenAI().start()
    server.stop()  # nothing listens on that port now
    iv = interviewer_for(server, retries=1)
    session = session_after_first_answer()
    with pytest.raises(LLMError, match="connection to the model server dropped"):
        iv.respond(session)
