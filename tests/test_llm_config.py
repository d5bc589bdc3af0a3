"""Configuration, engine choice, and the CLI contract with the LLM engine against the fake server."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from agent.cli import main
from agent.engines import get_interviewer, get_scorer
from agent.llm.config import PLACEHOLDER_KEY, ConfigError, Settings, split_model
from tests.conftest import SAMPLE
from tests.fakes.openai_server import FakeOpenAI, fault
from tests.helpers import TEN_LINES
from tests.test_llm_judge import scripted_judge


def test_defaults_and_the_judge_falling_back_to_the_interviewer_model():
    env = {"OPENAI_API_KEY": "sk-test"}
    assert Settings.from_env("interviewer", env=env).engine_name == "openai:gpt-4o-mini"
    env["MOCK_INTERVIEW_MODEL"] = "gpt-4.1-mini"
    assert Settings.from_env("judge", env=env).model == "gpt-4.1-mini"
    env["MOCK_INTERVIEW_JUDGE_MODEL"] = "gpt-4o"
    judge = Settings.from_env("judge", env=env)
    assert judge.model == "gpt-4o" and judge.temperature == 0.0
    assert Settings.from_env("judge", env=env, model="o4-mini").model == "o4-mini"


def test_provider_prefix_only_for_known_providers():
    assert split_model("anthropic:claude-3-5-haiku-latest") == ("anthropic", "claude-3-5-haiku-latest")
    assert split_model("openai:gpt-4o") == ("openai", "gpt-4o")
    assert split_model("llama3:8b") == ("openai", "llama3:8b")  # an Ollama tag, not a provider


def test_a_local_server_needs_no_key_but_gets_a_placeholder():
    s = Settings.from_env(env={"OPENAI_BASE_URL": "http://127.0.0.1:8080/v1"})
    assert s.api_key == PLACEHOLDER_KEY and s.base_url == "http://127.0.0.1:8080/v1"


def test_bad_numbers_name_their_variable():
    with pytest.raises(ConfigError, match="MOCK_INTERVIEW_TIMEOUT"):
        Settings.from_env(env={"OPENAI_API_KEY": "k", "MOCK_INTERVIEW_TIMEOUT": "soon"})


def test_chat_model_is_built_through_init_chat_model_without_retries_of_its_own():
    from agent.llm.models import chat_model

    model = chat_model(Settings(api_key="k", base_url="http://127.0.0.1:9/v1", timeout=7, max_tokens=50))
    assert type(model).__name__ == "ChatOpenAI"
    assert model.max_retries == 0 and model.request_timeout == 7
    assert model.extra_body == {"max_tokens": 50}  # local servers read the older name
    assert chat_model(Settings(api_key="k")).extra_body is None
    assert chat_model(Settings(api_key="k", model="o4-mini")).temperature is None  # reasoning models refuse it


def test_a_provider_whose_package_is_missing_is_a_clear_setting_error():
    from agent.llm.models import chat_model

    with pytest.raises(ConfigError, match="needs a LangChain package"):
        chat_model(Settings(provider="mistralai", model="mistral-small-latest"))


def test_importing_the_engine_needs_no_key_and_loads_no_heavy_library():
    code = ("import sys; import agent.llm, agent.llm.interviewer, agent.llm.judge, agent.llm.config;"
            "from agent.llm.interviewer import LLMInterviewer; i = LLMInterviewer.from_env();"
            "print([m for m in ('langchain', 'langchain_core', 'openai', 'tiktoken') if m in sys.modules])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_engines_hand_out_the_llm_engine_when_configured(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("MOCK_INTERVIEW_JUDGE_MODEL", "gpt-4.1-mini")
    assert get_scorer(None).name == "openai:gpt-4.1-mini"
    assert get_scorer("openai", "gpt-4o").name == "openai:gpt-4o"
    assert get_interviewer("openai", "gpt-4.1-nano").engine_name == "openai:gpt-4.1-nano"


# --- the CLI ------------------------------------------------------------------------------------------
@pytest.fixture
def judge_server(monkeypatch):
    with FakeOpenAI(responder=scripted_judge) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("MOCK_INTERVIEW_RETRIES", "0")
        yield server


def test_cli_score_with_the_openai_engine_prints_one_valid_scorecard(judge_server, capsys, tmp_path,
                                                                     scorecard_schema):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(SAMPLE))
    code = main(["score", str(path), "--engine", "openai", "--model", "gpt-4o"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    card = json.loads(out)
    jsonschema.validate(card, scorecard_schema)
    assert card["engine"] == "openai:gpt-4o"
    assert judge_server.requests[0]["model"] == "gpt-4o"


def test_cli_without_engine_uses_the_configured_llm(judge_server, capsys, tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(SAMPLE))
    assert main(["score", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["engine"] == "openai:gpt-4o-mini"


def test_cli_model_failure_is_one_line_without_traceback(judge_server, capsys, tmp_path):
    judge_server.script(fault("503"))
    path = tmp_path / "t.json"
    path.write_text(json.dumps(SAMPLE))
    code = main(["score", str(path), "--engine", "openai"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "HTTP 503" in err and "Traceback" not in err


def test_cli_bad_setting_exits_2(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    monkeypatch.setenv("MOCK_INTERVIEW_RETRIES", "many")
    path = tmp_path / "t.json"
    path.write_text(json.dumps(SAMPLE))
    assert main(["score", str(path), "--engine", "openai"]) == 2
    assert "MOCK_INTERVIEW_RETRIES" in capsys.readouterr().err


def _interview(server: FakeOpenAI, tmp_path, lines: list[str]) -> tuple[subprocess.CompletedProcess, dict]:
    out_file = tmp_path / "t.json"
    env = {"PATH": "/usr/bin:/bin", "OPENAI_BASE_URL": server.base_url, "MOCK_INTERVIEW_RETRIES": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "agent.cli", "interview", "--persona", "ceo", "--engine", "openai", "--length", "2",
         "--transcript-out", str(out_file), "--score"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120, env=env,
    )
    return proc, json.loads(out_file.read_text())


def test_cli_piped_interview_with_the_llm_engine(tmp_path, scorecard_schema, transcript_schema):
    with FakeOpenAI(responder=scripted_judge) as server:
        proc, transcript = _interview(server, tmp_path, TEN_LINES[:4])
    assert proc.returncode == 0, proc.stderr
    jsonschema.validate(transcript, transcript_schema)
    card = json.loads(proc.stdout.strip().splitlines()[-1])
    jsonschema.validate(card, scorecard_schema)
    assert card["interview_usage"]["calls"] >= 3 and card["usage"]["calls"] >= 4
    interviewer = [t["text"] for t in transcript["turns"] if t["speaker"] == "interviewer"]
    assert all(t.count("?") <= 1 for t in interviewer)


def test_cli_interview_failure_keeps_the_transcript_and_says_one_line(tmp_path):
    with FakeOpenAI(responder=scripted_judge) as server:
        server.script("Welcome. How do you earn a new team's trust?", fault("503"))
        proc, transcript = _interview(server, tmp_path, TEN_LINES[:3])
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert [t["speaker"] for t in transcript["turns"]] == ["interviewer", "candidate"]
    assert transcript["turns"][1]["text"] == TEN_LINES[0]
