"""The judge through the real stack against the fake server: quotes checked, methods fall back,
failures are unscored rather than invented, and the rules cross-check the judge."""

from __future__ import annotations

import json

import jsonschema
import pytest

from agent.llm.resilience import LLMError
from agent.models import Transcript
from tests.conftest import SAMPLE
from tests.fakes.fixtures import scorer_for
from tests.fakes.openai_server import FakeOpenAI, example_for, structured_schema
from tests.helpers import assert_quotes_verbatim

ANSWERS = {
    "humility": {"rationale": "Credits the team.", "score": 5, "evidence": [
        {"turn": 1, "quote": "the credit goes to them"},  # verbatim
        {"turn": 1, "quote": "How do you see demand shifting?"},  # real words, wrong turn: repaired
        {"turn": 1, "quote": "I always put my people first"},  # invented: dropped
    ]},
    "curiosity": {"rationale": "One researched question.", "score": 4, "evidence": [
        {"turn": 3, "quote": "How do you see demand shifting?"}]},
    "asked_for_job": {"rationale": "No ask.", "outcome": "not_asked", "score": 2, "evidence": []},
    "deal_breakers": {"items": [{"kind": "criticized_product", "turn": 3, "quote": "your plant is a mess"}]},
    "feedback": {"strengths": ["Shared credit."], "top_change": "Ask for the next step plainly.",
                 "rewrite_turn": 3, "rewrite": "Would you be comfortable recommending me for a next meeting?"},
}


def criterion_of(body: dict) -> str:
    last = body["messages"][-1]["content"]
    return last.rsplit('JSON for "', 1)[1].split('"', 1)[0]


def scripted_judge(body: dict) -> str:
    """Judge requests get ANSWERS; anything else (interviewer turns) gets the server's default reply."""
    schema = structured_schema(body)
    if schema is None:
        return "Thank you. What did you learn from the people who built what works today?"
    name = criterion_of(body)
    return json.dumps(ANSWERS[name] if name in ANSWERS else example_for(schema))


def _score(server: FakeOpenAI, transcript: dict | None = None, **kw):
    return scorer_for(server, **kw).score(Transcript.model_validate(transcript or SAMPLE))


def test_scorecard_validates_names_the_model_and_holds_only_verbatim_quotes(scorecard_schema):
    with FakeOpenAI(responder=scripted_judge) as server:
        card = _score(server).to_json_dict()
    jsonschema.validate(card, scorecard_schema)
    assert card["engine"] == "openai:gpt-4o-mini"
    assert_quotes_verbatim(card, SAMPLE["turns"])
    humility = card["criteria"]["humility"]
    assert humility["score"] == 5 and [e["turn"] for e in humility["evidence"]] == [1, 3]
    assert card["evidence_dropped"] == 2 and card["evidence_repaired"] == 1
    assert card["deal_breakers"] == []  # its only quote was invented
    assert card["feedback"]["rewrite"]["turn"] == 3
    # Five criteria, plus the risk topic the listener heard raised (team fit), which the scripted judge's stock
    # answer can't name: three tries, then the offline verdict stands in, marked unscored.
    assert card["usage"]["calls"] == 8 and card["usage"]["input_tokens"] > 0
    assert card["unscored"] == ["risk_topics"]


def test_cross_check_reports_what_the_rules_see_differently():
    with FakeOpenAI(responder=scripted_judge) as server:
        card = _score(server).to_json_dict()
    assert any(n.startswith("asked_for_job: the judge says not_asked; the rules found a closing ask")
               for n in card["cross_check"])


def test_llama_cpp_style_json_schema_refusal_falls_back_to_function_calling_once():
    with FakeOpenAI(responder=scripted_judge, reject_json_schema=True) as server:
        scorer = scorer_for(server)
        card = scorer.score(Transcript.model_validate(SAMPLE)).to_json_dict()
        card2 = scorer.score(Transcript.model_validate(SAMPLE)).to_json_dict()
        kinds = [(r.get("response_format") or {}).get("type") or ("tools" if r.get("tools") else "chat")
                 for r in server.requests]
    assert kinds.count("json_schema") == 1  # recognised as unsupported, never retried
    assert card["structured_output"] == card2["structured_output"] == "function_calling"
    assert card["unscored"] in ([], ["risk_topics"]) and card["criteria"]["humility"]["score"] == 5


def test_falls_back_to_json_mode_when_tools_are_refused_too():
    with FakeOpenAI(responder=scripted_judge, reject_json_schema=True, reject_tools=True) as server:
        card = _score(server).to_json_dict()
    assert card["structured_output"] == "json_mode" and card["unscored"] in ([], ["risk_topics"])


def test_a_server_with_no_structured_output_is_a_clear_error():
    with FakeOpenAI(responder=scripted_judge, reject_json_schema=True, reject_tools=True,
                    reject_json_mode=True) as server, pytest.raises(LLMError, match="no structured output method"):
        _score(server)


def test_a_transcript_too_long_for_the_context_is_unscored_not_guessed(scorecard_schema):
    with FakeOpenAI(responder=scripted_judge) as server:
        card = _score(server, context_tokens=600, max_tokens=100).to_json_dict()
        assert server.requests == []  # counted before sending: nothing was sent
    jsonschema.validate(card, scorecard_schema)
    assert set(card["unscored"]) >= {"humility", "curiosity", "asked_for_job", "deal_breakers", "feedback"}
    assert "tokens" in card["unscored_reasons"]["humility"]


def test_risk_topics_only_for_topics_the_interviewer_raised(scorecard_schema):
    from tests.helpers import run_interview

    transcript = run_interview("ceo", length=2).transcript().model_dump(mode="json", exclude_none=True)

    def responder(body: dict) -> str:
        if criterion_of(body) == "risk_topics":
            return json.dumps({"items": [
                {"topic": "team_fit", "verdict": "addressed", "evidence": []},
                {"topic": "integrity", "verdict": "weak", "evidence": []},
                {"topic": "team_fit", "verdict": "evaded", "evidence": []},
            ]})
        return scripted_judge(body)

    with FakeOpenAI(responder=responder) as server:
        card = _score(server, transcript).to_json_dict()
    jsonschema.validate(card, scorecard_schema)
    raised = [r.get("topic") for r in transcript["turns"] if r["speaker"] == "interviewer"]
    assert "integrity" not in raised
    assert card["risk_topics"] == [{"topic": "team_fit", "verdict": "addressed", "evidence": []}]
    assert card["unscored"] == []
