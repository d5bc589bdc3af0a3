"""The CLI contract (shared/spec/CLI.md): outputs, exit codes, and every error line."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from agent.cli import main
from tests.conftest import DATASETS, SAMPLE
from tests.helpers import TEN_LINES, assert_quotes_verbatim


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_score_json_prints_one_valid_scorecard(capsys, tmp_path, scorecard_schema):
    path = _write(tmp_path, "t.json", json.dumps(SAMPLE))
    code, out, err = run(capsys, "score", path, "--engine", "offline")
    assert code == 0 and err == ""
    card = json.loads(out)
    jsonschema.validate(card, scorecard_schema)
    assert card["engine"] == "offline"


def test_score_jsonl_prints_one_line_per_transcript_in_order(capsys, scorecard_schema):
    path = str(DATASETS / "core.jsonl")
    code, out, _ = run(capsys, "score", path, "--engine", "offline")
    rows = [json.loads(line) for line in DATASETS.joinpath('core.jsonl').read_text().splitlines() if line.strip()]
    cards = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(cards) == len(rows)
    for row, card in zip(rows, cards, strict=True):
        jsonschema.validate(card, scorecard_schema)
        assert_quotes_verbatim(card, row["turns"])


def test_score_stdin(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(SAMPLE)))
    code, out, _ = run(capsys, "score", "-")
    assert code == 0 and json.loads(out)["engine"] == "offline"


def test_no_engine_and_no_key_falls_back_to_offline(capsys, tmp_path):
    code, out, _ = run(capsys, "score", _write(tmp_path, "t.json", json.dumps(SAMPLE)))
    assert code == 0 and json.loads(out)["engine"] == "offline"


@pytest.mark.parametrize(
    ("setup", "argv", "expect"),
    [
        (None, ["score", "{tmp}/missing.json"], "missing.json: no such file"),
        (("bad.json", "{not json"), ["score", "{tmp}/bad.json"], "bad.json: invalid JSON"),
        (("schema.json", json.dumps({"persona": "ceo", "turns": []})), ["score", "{tmp}/schema.json"],
         "schema.json: transcript breaks the schema: turns"),
        (("persona.json", json.dumps({"persona": "cfo", "turns": [{"speaker": "candidate", "text": "x"}]})),
         ["score", "{tmp}/persona.json"], "persona.json: transcript breaks the schema: persona"),
        (("list.json", "[1, 2]"), ["score", "{tmp}/list.json"], "list.json: expected a JSON object"),
        (("ok.json", json.dumps(SAMPLE)), ["score", "{tmp}/ok.json", "--engine", "gpt"], "unknown engine 'gpt'"),
        (("ok.json", json.dumps(SAMPLE)), ["score", "{tmp}/ok.json", "--engine", "openai"], "OPENAI_API_KEY"),
        (None, ["interview", "--persona", "recruiter"], "unknown persona 'recruiter'"),
        (None, ["interview", "--persona", "ceo", "--engine", "claude"], "unknown engine 'claude'"),
        (None, ["interview", "--persona", "ceo", "--engine", "openai"], "OPENAI_API_KEY"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(capsys, tmp_path, setup, argv, expect):
    if setup:
        _write(tmp_path, *setup)
    code, out, err = run(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert expect in err
    assert "Traceback" not in err


def test_a_batch_scored_by_forked_workers_prints_exactly_what_one_process_prints(capsys, tmp_path, monkeypatch):
    from agent import listening
    from agent.listening import model
    from agent.offline import batch

    rows = [line for line in DATASETS.joinpath("core.jsonl").read_text().splitlines() if line.strip()][:12]
    path = _write(tmp_path, "batch.jsonl", "\n".join([*rows[:5], "{broken", *rows[5:]]) + "\n")
    monkeypatch.setattr(batch, "CHUNK", 4)
    monkeypatch.setattr(batch, "MIN_PER_WORKER", 1)
    forked: list[int] = []
    real_pool = batch.multiprocessing_pool
    monkeypatch.setattr(batch, "multiprocessing_pool", lambda n: (forked.append(n), real_pool(n))[1])
    monkeypatch.setenv("MOCK_INTERVIEW_WORKERS", "2")
    code, parallel, err = run(capsys, "score", path, "--engine", "offline")
    assert forked == [2]
    assert code == 2 and err.count("\n") == 1 and "batch.jsonl:6: invalid JSON" in err
    monkeypatch.setenv("MOCK_INTERVIEW_WORKERS", "1")
    model._MEMO.clear()
    code, serial, _ = run(capsys, "score", path, "--engine", "offline")
    assert forked == [2] and code == 2 and serial == parallel and len(serial.splitlines()) == 12
    monkeypatch.setattr(listening, "prepare", lambda ts: (_ for _ in ()).throw(RuntimeError("no")))
    model._MEMO.clear()
    code, unprepared, _ = run(capsys, "score", path, "--engine", "offline")  # a failing prepare costs nothing
    assert code == 2 and unprepared == serial


def test_a_bad_jsonl_line_keeps_the_good_ones(capsys, tmp_path):
    good = json.dumps(SAMPLE)
    path = _write(tmp_path, "batch.jsonl", "\n".join([good, "{broken", good, json.dumps({"persona": "ceo"})]) + "\n")
    code, out, err = run(capsys, "score", path, "--engine", "offline")
    assert code == 2
    assert len(out.splitlines()) == 2
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert "batch.jsonl:2: invalid JSON" in lines[0]
    assert "batch.jsonl:4: transcript breaks the schema: turns" in lines[1]


def test_usage_errors_are_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["interview"])
    assert exc.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_piped_interview_writes_transcript_and_scorecard(tmp_path, transcript_schema, scorecard_schema):
    out_file = tmp_path / "t.json"
    proc = subprocess.run(
        [sys.executable, "-m", "agent.cli", "interview", "--persona", "board_member", "--engine", "offline",
         "--transcript-out", str(out_file), "--score"],
        input="\n".join(TEN_LINES) + "\n", capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    transcript = json.loads(out_file.read_text())
    jsonschema.validate(transcript, transcript_schema)
    last = proc.stdout.strip().splitlines()[-1]
    jsonschema.validate(json.loads(last), scorecard_schema)
    interviewer = [t["text"] for t in transcript["turns"] if t["speaker"] == "interviewer"]
    assert len(set(interviewer)) == len(interviewer)
    assert all(t.count("?") <= 1 for t in interviewer)
    topics = {t.get("topic") for t in transcript["turns"] if t["speaker"] == "interviewer"} - {None}
    assert len(topics) >= 4
    printed = proc.stdout.strip().splitlines()[:-1]
    assert len(printed) == len(interviewer)


def test_interview_without_score_prints_only_interviewer_turns(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "agent.cli", "interview", "--persona", "ceo", "--company", "Tessel Bank"],
        input="I'd listen first.\n", capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 3 and "Tessel Bank" in lines[0]
    assert "{" not in proc.stdout


def test_transcript_out_into_a_missing_folder_is_bad_input(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "agent.cli", "interview", "--persona", "ceo", "--transcript-out",
         str(tmp_path / "nope" / "t.json")], input="", capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2 and "folder does not exist" in proc.stderr


def test_offline_score_does_not_import_heavy_libraries(tmp_path):
    path = _write(tmp_path, "t.json", json.dumps(SAMPLE))
    code = (f"import sys; import agent.cli as c; c.main(['score', {path!r}, '--engine', 'offline']);"
            "heavy=[m for m in ('langchain','langchain_core','openai','chainlit','tiktoken') if m in sys.modules];"
            "print('HEAVY', heavy, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in proc.stderr
