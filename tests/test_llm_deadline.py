"""Issue 8, items 7-10, against the fake OpenAI server over real HTTP.

7: keys never reach an error line or a log line. 8: a server that drips one byte at a time is cut off
at the whole-call deadline (MOCK_INTERVIEW_TIMEOUT). 9: a criterion the model could not score says
it was scored offline, in the JSON and in both reports. 10: a 200 that is not a chat completion, or
has no choices, is one clear LLMError line.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import jsonschema
import pytest

from agent.cli import main
from agent.llm.config import Settings
from agent.llm.interviewer import LLMInterviewer
from agent.llm.judge import LLMScorer
from agent.llm.resilience import DeadlineExceeded, LLMError, RetryPolicy, within
from agent.models import Transcript
from agent.redact import MASK, install_log_redaction, redact
from agent.report import render_markdown
from tests.conftest import SAMPLE
from tests.fakes.fixtures import collect, interviewer_for, scorer_for, session_after_first_answer
from tests.fakes.openai_server import fault

KEY = "sk-proj-Zx81TestKeyThatMustNeverLeak0042"





# --- item 7: keys never reach stderr or logs -----------------------------------------------------------


@pytest.mark.parametrize("status", [400, 404, 422])
def test_an_error_body_echoing_the_key_is_redacted(fake_openai, status):
    fake_openai.script(fault("echo_auth", status=status))
    iv = interviewer_for(fake_openai, api_key=KEY, retries=0)
    with pytest.raises(LLMError) as info:
        iv.respond(session_after_first_answer())
    message = str(info.value)
    assert fake_openai.headers[0]["Authorization"] == f"Bearer {KEY}"  # the server did echo it
    assert KEY not in message and KEY[8:30] not in message
    assert MASK in message and f"HTTP {status}" in message


def test_score_cli_never_prints_the_configured_key(fake_openai, monkeypatch, tmp_path, capsys):
    key = "local-gateway-key-7f3a91c2"  # not key-shaped: only knowing the configured value hides it
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("MOCK_INTERVIEW_RETRIES", "0")
    fake_openai.script(*[fault("echo_auth", status=400)] * 10)
    path = tmp_path / "t.json"
    path.write_text(json.dumps(SAMPLE))
    code = main(["score", str(path), "--engine", "openai"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and key not in err and MASK in err


def test_log_lines_are_redacted(monkeypatch, caplog):
    monkeypatch.setenv("OPENAI_API_KEY", "configured-secret-99887766")
    install_log_redaction()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("openai._base_client").debug("Request options: %s", {"headers": {
            "Authorization": "Bearer configured-secret-99887766"}})
        try:
            raise RuntimeError(f"upstream said: {KEY}")
        except RuntimeError:
            logging.getLogger("httpx").exception("call failed with api_key=%s", "configured-secret-99887766")
    text = caplog.text
    assert "configured-secret-99887766" not in text and KEY not in text
    assert text.count(MASK) >= 3


@pytest.mark.parametrize(
    ("dirty", "kept"),
    [
        (f"Authorization: Bearer {KEY}", "Authorization: "),
        ('{"api_key": "abcdef123456"}', '{"api_key": "'),
        ("https://host/v1?api-key=abcdef123456&x=1", "&x=1"),
        ("token ghp_0123456789abcdefABCDEF here", " here"),
        ("Basic dXNlcjpwYXNzd29yZDEyMw==", ""),
    ],
)
def test_redact_hides_key_shapes(dirty, kept):
    clean = redact(dirty)
    assert MASK in clean and kept in clean
    assert "abcdef123456" not in clean and KEY not in clean


@pytest.mark.parametrize(
    "fine",
    ["Tokens used by the interviewer: 1,234", "Basic authentication failed", "task-oriented skills",
     "the model server rejected the request (HTTP 400)", "Ask for the job: sketch the next step"],
)
def test_redact_leaves_ordinary_text_alone(fine):
    assert redact(fine) == fine


# --- item 8: a whole-call deadline ------------------------------------------------------------------


def test_settings_timeout_is_the_whole_call_deadline(monkeypatch):
    monkeypatch.setenv("MOCK_INTERVIEW_TIMEOUT", "7")
    assert LLMInterviewer.from_env().policy.deadline == 7.0
    assert LLMScorer.from_env().policy.deadline == 7.0


def test_a_dripping_server_times_out_a_turn(fake_openai):
    fake_openai.script(fault("drip", interval=0.1))  # ~40 s for the whole reply, 0.1 s per read
    iv = interviewer_for(fake_openai, timeout=1.0, retries=0)
    session = session_after_first_answer()
    before = session.to_json()
    started = time.monotonic()
    with pytest.raises(LLMError, match="did not finish its reply within 1s"):
        iv.respond(session)
    assert time.monotonic() - started < 4.0
    assert session.to_json() == before  # nothing committed: the same turn can be retried


def test_a_dripping_stream_times_out(fake_openai):
    fake_openai.script(fault("drip", interval=0.1), fault("drip", interval=0.1))
    iv = interviewer_for(fake_openai, timeout=1.0, retries=1)
    started = time.monotonic()
    with pytest.raises(LLMError, match="did not finish its reply within 1s"):
        collect(iv.astream(session_after_first_answer()))
    assert time.monotonic() - started < 5.0
    assert len(fake_openai.requests) == 2  # timed out, retried once, timed out again


def test_a_dripping_judge_times_out(fake_openai):
    fake_openai.script(*[fault("drip", interval=0.1)] * 12)
    scorer = scorer_for(fake_openai, timeout=1.0, retries=0)
    started = time.monotonic()
    with pytest.raises(LLMError, match="within 1s"):
        scorer.score(Transcript.model_validate(SAMPLE))
    assert time.monotonic() - started < 5.0


def test_a_fast_reply_within_the_deadline_is_untouched(fake_openai):
    fake_openai.script(fault("drip", interval=0.0005, text="Fine. What would your team say about you?"))
    iv = interviewer_for(fake_openai, timeout=5.0, retries=0)
    assert iv.respond(session_after_first_answer()) == "Fine. What would your team say about you?"


def test_within_passes_results_and_errors_through():
    assert within(lambda: 42, 1.0) == 42
    with pytest.raises(ZeroDivisionError):
        within(lambda: 1 / 0, 1.0)
    with pytest.raises(DeadlineExceeded):
        within(lambda: time.sleep(2), 0.2)


def test_a_deadline_timeout_is_retried_then_succeeds(fake_openai):
    fake_openai.script(fault("drip", interval=0.1), "Thanks. How do you build trust?")
    policy = RetryPolicy(sleep=lambda s: None)
    iv = LLMInterviewer(Settings(model="gpt-4o-mini", base_url=fake_openai.base_url, api_key="k", timeout=1.0,
                                 retries=1), policy=policy)
    assert iv.respond(session_after_first_answer()) == "Thanks. How do you build trust?"


# --- item 9: fallback scores say where they came from -----------------------------------------------


def test_a_fallback_criterion_says_it_was_scored_offline(fake_openai, scorecard_schema):
    fake_openai.script(fault("bad_json"))  # humility is asked first, alone: its one attempt is unusable
    scorer = scorer_for(fake_openai, retries=0)
    card = scorer.score(Transcript.model_validate(SAMPLE))
    doc = card.to_json_dict()
    jsonschema.validate(doc, scorecard_schema)
    assert doc["engine"] == "openai:gpt-4o-mini"
    assert doc["criteria"]["humility"]["scored_by"] == "offline"
    assert "scored_by" not in doc["criteria"]["curiosity"]
    assert "scored_by" not in doc["criteria"]["asked_for_job"]
    report = render_markdown(card)
    humility_line = next(line for line in report.splitlines() if "**Humility**" in line)
    assert "scored offline: model answer unusable" in humility_line
    curiosity_line = next(line for line in report.splitlines() if "**Curiosity**" in line)
    assert "scored offline" not in curiosity_line


def test_the_web_scorecard_shows_the_fallback(fake_openai):
    from agent.web.views import scorecard_markdown

    fake_openai.script(fault("bad_json"))
    card = scorer_for(fake_openai, retries=0).score(Transcript.model_validate(SAMPLE))
    text = scorecard_markdown(card, Transcript.model_validate(SAMPLE))
    line = next(line for line in text.splitlines() if line.startswith("**Humility"))
    assert "scored offline: model answer unusable" in line


def test_an_offline_card_is_unchanged_by_the_new_fields():
    from agent.offline.scorer import score

    doc = score(Transcript.model_validate(SAMPLE)).to_json_dict()
    assert "complete" not in doc
    assert all("scored_by" not in doc["criteria"][k] for k in ("humility", "curiosity", "asked_for_job"))
    assert "offline" not in render_markdown(score(Transcript.model_validate(SAMPLE))).split("*Scored by")[0]


def test_project_schemas_are_byte_copies_of_the_shared_spec():
    root = Path(__file__).resolve().parent.parent
    shared = root.parent / "shared" / "spec"
    if not shared.is_dir():
        pytest.skip("shared/ is not beside this checkout")
    for name in ("transcript", "scorecard"):
        ours = (root / "agent" / "schemas" / f"{name}.schema.json").read_bytes()
        assert ours == (shared / f"{name}.schema.json").read_bytes()


# --- item 10: replies that are not chat completions ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "says"),
    [("not_json", "not a chat completion (not JSON"), ("empty_choices", "no choices")],
)
def test_an_unusable_200_is_one_clear_line(fake_openai, kind, says):
    fake_openai.script(*[fault(kind)] * 3)
    iv = interviewer_for(fake_openai, retries=2)
    with pytest.raises(LLMError) as info:
        iv.respond(session_after_first_answer())
    message = str(info.value)
    assert says in message and "\n" not in message
    for noise in ("AttributeError", "IndexError", "ValueError", "'str' object", "list index"):
        assert noise not in message
    assert len(fake_openai.requests) == 3  # retried like any other bad answer


@pytest.mark.parametrize(("kind", "says"), [("not_json", "not JSON"), ("empty_choices", "no choices")])
def test_an_unusable_200_in_a_stream_or_the_judge_is_clear(fake_openai, kind, says):
    fake_openai.script(*[fault(kind)] * 40)
    with pytest.raises(LLMError) as info:
        scorer_for(fake_openai, retries=0).score(Transcript.model_validate(SAMPLE))
    assert says in str(info.value)
    assert "AttributeError" not in str(info.value) and "IndexError" not in str(info.value)


@pytest.mark.parametrize(("kind", "says"), [("not_json", "not JSON"), ("empty_choices", "no choices")])
def test_score_cli_reports_an_unusable_reply_in_one_line(fake_openai, monkeypatch, tmp_path, capsys, kind, says):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("MOCK_INTERVIEW_RETRIES", "0")
    fake_openai.script(*[fault(kind)] * 40)
    path = tmp_path / "t.json"
    path.write_text(json.dumps(SAMPLE))
    code = main(["score", str(path), "--engine", "openai"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and says in err and "Traceback" not in err
