"""Issue 8, items 5 and 6: hostile or unlucky input to the CLI, and files that survive a failed write.

Every bad input exits 2 with one line on stderr that names the file (and line) and the problem; a bad
line in a `.jsonl` batch costs only itself; a piped interview never loses its transcript.
"""

from __future__ import annotations

import copy
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from agent.cli import main
from agent.fileio import tolerant_text, write_text_atomic
from agent.models import Transcript
from agent.offline.scorer import score as offline_score
from tests.conftest import SAMPLE

GOOD = json.dumps(SAMPLE)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def card_for(doc: dict) -> str:
    return json.dumps(offline_score(Transcript.model_validate(doc)).to_json_dict(), ensure_ascii=False)


def assert_one_error_line(err: str, where: str, *words: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith(f"mock-interview: {where}: "), lines[0]
    for word in words:
        assert word in lines[0], lines[0]


def batch(tmp_path: Path, *lines: bytes) -> str:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return str(path)


def with_candidate_text(text_json: str) -> bytes:
    """SAMPLE with its second turn's text replaced by `text_json` (already JSON: escapes stay escapes)."""
    doc = copy.deepcopy(SAMPLE)
    doc["turns"][1]["text"] = "@@TEXT@@"
    return json.dumps(doc).replace('"@@TEXT@@"', text_json).encode()


LONE_SURROGATE = with_candidate_text('"I lead \\ud800 by listening"')
DEEP = b"[" * 100_000 + b"]" * 100_000
BIG_INT = GOOD[:-1].encode() + b', "n": ' + b"7" * 5000 + b"}"


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        pytest.param(LONE_SURROGATE, ("surrogate",), id="lone-surrogate-escape"),
        pytest.param(DEEP, ("nested too deeply",), id="nested-100000-deep"),
        pytest.param(BIG_INT, ("too many digits",), id="integer-of-5000-digits"),
        pytest.param(b'{"persona": "ceo", "turns": [{"speaker": "candidate", "text": "caf\xe9"}]}', ("UTF-8",),
                     id="non-utf8-line"),
    ],
)
def test_a_bad_line_costs_only_itself(capsys, tmp_path, bad, words):
    path = batch(tmp_path, GOOD.encode(), bad, GOOD.encode())
    code, out, err = run(capsys, "score", path, "--engine", "offline")
    assert code == 2
    assert out.split("\n") == [card_for(SAMPLE), card_for(SAMPLE), ""]  # both good lines, in order
    assert_one_error_line(err, f"{path}:2", *words)


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        pytest.param(LONE_SURROGATE, ("surrogate",), id="lone-surrogate-escape"),
        pytest.param(DEEP, ("nested too deeply",), id="nested-100000-deep"),
        pytest.param(BIG_INT, ("too many digits",), id="integer-of-5000-digits"),
        pytest.param(GOOD.replace("Brightwell", "Br\u00e9twell").encode("latin-1"), ("UTF-8",), id="not-utf8"),
    ],
)
def test_a_bad_json_file_is_one_line_and_exit_2(capsys, tmp_path, bad, words):
    path = tmp_path / "t.json"
    path.write_bytes(bad)
    code, out, err = run(capsys, "score", str(path), "--engine", "offline")
    assert (code, out) == (2, "")
    assert_one_error_line(err, str(path), *words)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_jsonl_splits_on_newline_only(capsys, tmp_path, separator):
    """U+2028, U+0085 and friends are legal raw inside a JSON string; splitlines() would cut the line."""
    doc = copy.deepcopy(SAMPLE)
    doc["turns"][1]["text"] = doc["turns"][1]["text"].replace(". ", f".{separator} ", 1)
    raw = json.dumps(doc, ensure_ascii=False).encode()
    assert separator.encode() in raw
    path = batch(tmp_path, raw, b"{not json", GOOD.encode())
    code, out, err = run(capsys, "score", path, "--engine", "offline")
    assert code == 2
    assert out.split("\n") == [card_for(doc), card_for(SAMPLE), ""]
    assert_one_error_line(err, f"{path}:2", "invalid JSON")  # the line number counts "\n" only


def test_crlf_and_a_byte_order_mark_are_fine(capsys, tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode() + b"\r\n\r\n" + GOOD.encode() + b"\r\n")
    code, out, err = run(capsys, "score", str(path), "--engine", "offline")
    assert (code, err) == (0, "")
    assert out.split("\n") == [card_for(SAMPLE), card_for(SAMPLE), ""]


def test_an_interviewer_turn_with_an_unknown_topic_is_scored(capsys, tmp_path):
    """`topic` on a turn is allowed by the schema; a value the plan doesn't know must not crash the scorer."""
    doc = copy.deepcopy(SAMPLE)
    doc["turns"][0]["topic"] = "culture"
    doc["turns"][0]["move"] = "question"
    path = batch(tmp_path, json.dumps(doc).encode(), GOOD.encode())
    code, out, err = run(capsys, "score", path, "--engine", "offline")
    assert (code, err) == (0, "")
    cards = [json.loads(line) for line in out.splitlines()]
    assert len(cards) == 2 and all(c["engine"] == "offline" for c in cards)


def test_turn_topic_and_move_round_trip():
    doc = copy.deepcopy(SAMPLE)
    doc["turns"][0].update(topic="team_fit", move="question", label="kept")
    t = Transcript.model_validate(doc)
    assert (t.turns[0].topic, t.turns[0].move) == ("team_fit", "question")
    assert t.model_dump(mode="json", exclude_none=True)["turns"][0] == doc["turns"][0]
    assert "topic" not in t.model_dump(mode="json", exclude_none=True)["turns"][1]


def test_empty_path_says_so(capsys):
    code, out, err = run(capsys, "score", "")
    assert (code, out) == (2, "")
    assert "directory" not in err
    assert_one_error_line(err.replace("mock-interview: ", "mock-interview: X: ", 1), "X", "empty")


def test_a_directory_and_a_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "score", str(tmp_path))
    assert code == 2 and "is a directory" in err and len(err.splitlines()) == 1
    code, _, err = run(capsys, "score", str(tmp_path / "nope.jsonl"))
    assert code == 2 and "no such file" in err and len(err.splitlines()) == 1


def test_stdin_that_is_not_utf8_is_bad_input(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GOOD.replace("Brightwell", "Br\xe9twell").encode(
        "latin-1"))))
    code, out, err = run(capsys, "score", "-")
    assert (code, out) == (2, "")
    assert_one_error_line(err, "<stdin>", "UTF-8")


def test_stdin_json_still_scores(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GOOD.encode())))
    code, out, err = run(capsys, "score", "-")
    assert (code, err) == (0, "") and out == card_for(SAMPLE) + "\n"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_scorer_crash_on_one_line_does_not_stop_the_batch(capsys, tmp_path, monkeypatch, workers):
    """A bug in a scorer is reported for its transcript (exit 1); the other transcripts still print, also
    when forked workers score the batch."""
    import agent.offline.scorer as scorer_module
    from agent.offline import batch as batch_module

    real = scorer_module.score

    def flaky(t: Transcript):
        if t.turns[1].text.startswith("BOOM"):
            raise RuntimeError("scorer bug")
        return real(t)

    monkeypatch.setattr(scorer_module, "score", flaky)
    monkeypatch.setattr(batch_module, "MIN_PER_WORKER", 1)
    monkeypatch.setattr(batch_module, "CHUNK", 1)
    monkeypatch.setenv("MOCK_INTERVIEW_WORKERS", workers)
    boom = copy.deepcopy(SAMPLE)
    boom["turns"][1]["text"] = "BOOM " + boom["turns"][1]["text"]
    path = batch(tmp_path, GOOD.encode(), json.dumps(boom).encode(), GOOD.encode())
    code, out, err = run(capsys, "score", path, "--engine", "offline")
    assert code == 1
    assert len(out.splitlines()) == 2
    assert_one_error_line(err, f"{path}:2", "scoring failed", "scorer bug")


def _worker_dies(chunk):
    os._exit(3)


def test_a_worker_that_dies_ends_the_batch_with_one_line_not_a_hang(capsys, tmp_path, monkeypatch):
    from agent.offline import batch as batch_module

    monkeypatch.setattr(batch_module, "_score_chunk", _worker_dies)
    monkeypatch.setattr(batch_module, "MIN_PER_WORKER", 1)
    monkeypatch.setenv("MOCK_INTERVIEW_WORKERS", "2")
    path = batch(tmp_path, GOOD.encode(), GOOD.encode())
    code, out, err = run(capsys, "score", path, "--engine", "offline")
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and "Traceback" not in err and "BrokenProcessPool" in err


# --- item 6: piped interviews and atomic writes -------------------------------------------------------


def test_piped_interview_with_a_non_utf8_byte_keeps_the_transcript(tmp_path, transcript_schema):
    out_file = tmp_path / "t.json"
    proc = subprocess.run(
        [sys.executable, "-m", "agent.cli", "interview", "--persona", "ceo", "--engine", "offline",
         "--transcript-out", str(out_file)],
        input=b"ok\ncaf\xe9\n", capture_output=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    doc = json.loads(out_file.read_text(encoding="utf-8"))
    jsonschema.validate(doc, transcript_schema)
    said = [t["text"] for t in doc["turns"] if t["speaker"] == "candidate"]
    assert said == ["ok", "caf\ufffd"]


def test_piped_interview_in_process_with_surrogate_escaped_stdin(tmp_path, monkeypatch, capsys):
    """The same through main(): stdin decoded with surrogateescape (a C locale) must not break the write."""
    stdin = io.TextIOWrapper(io.BytesIO(b"I listen first.\n\xff\xfe bad bytes\n"), errors="surrogateescape")
    monkeypatch.setattr(sys, "stdin", stdin)
    out_file = tmp_path / "t.json"
    code = main(["interview", "--persona", "board_member", "--engine", "offline", "--transcript-out", str(out_file)])
    _, err = capsys.readouterr()
    assert (code, err) == (0, "")
    said = [t["text"] for t in json.loads(out_file.read_text())["turns"] if t["speaker"] == "candidate"]
    assert said == ["I listen first.", "\ufffd\ufffd bad bytes"]


def test_surrogate_escaped_arguments_are_written_not_fatal(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("I listen first.\n"))
    out_file = tmp_path / "t.json"
    code = main(["interview", "--persona", "ceo", "--engine", "offline", "--company", "Caf\udce9",
                 "--transcript-out", str(out_file)])
    capsys.readouterr()
    assert code == 0
    assert json.loads(out_file.read_text())["context"]["company"] == "Caf\ufffd"


def test_a_failed_transcript_write_leaves_the_old_file_whole(tmp_path, monkeypatch, capsys):
    out_file = tmp_path / "t.json"
    out_file.write_text('{"old": true}\n')
    monkeypatch.setattr(sys, "stdin", io.StringIO("I listen first.\n"))

    def no_rename(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("agent.fileio.os.replace", no_rename)
    code = main(["interview", "--persona", "ceo", "--engine", "offline", "--transcript-out", str(out_file)])
    _, err = capsys.readouterr()
    assert code == 1 and len(err.splitlines()) == 1 and "No space left" in err
    assert out_file.read_text() == '{"old": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.json"]  # no temp file left behind


def test_transcript_out_that_is_a_directory_or_empty_is_bad_input(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("hello\n"))
    for target in (str(tmp_path), ""):
        code = main(["interview", "--persona", "ceo", "--engine", "offline", "--transcript-out", target])
        _, err = capsys.readouterr()
        assert code == 2 and len(err.splitlines()) == 1


def test_write_text_atomic_replaces_whole_and_keeps_modes(tmp_path):
    target = tmp_path / "f.txt"
    write_text_atomic(target, "first\n")
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    os.chmod(target, 0o600)
    write_text_atomic(target, "second \udce9\n")
    assert target.read_text() == "second \ufffd\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # an existing file keeps its mode
    write_text_atomic(tmp_path / "private.txt", "x", mode=0o600)
    assert stat.S_IMODE((tmp_path / "private.txt").stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt", "private.txt"]


def test_write_text_atomic_failure_keeps_the_old_content(tmp_path, monkeypatch):
    target = tmp_path / "f.txt"
    target.write_text("old")

    def boom(fd: int) -> None:
        raise OSError(5, "I/O error")

    monkeypatch.setattr("agent.fileio.os.fsync", boom)
    with pytest.raises(OSError):
        write_text_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_eval_outputs_and_the_cassette_are_written_atomically(tmp_path, monkeypatch):
    """The evals' report/results/JUnit writer and the replay cassette go through the atomic helper."""
    from agent.evals import replay, runner

    written: list[str] = []
    real = write_text_atomic

    def spy(path: str | os.PathLike[str], text: str, **kw: object) -> None:
        written.append(Path(path).name)
        real(path, text)

    monkeypatch.setattr(runner, "write_text_atomic", spy)
    monkeypatch.setattr(replay, "write_text_atomic", spy)
    cassette = replay.Cassette(tmp_path / "c.json")
    cassette.entries["k"] = {"status": 200}
    cassette.save()
    run = runner.Run(engine="offline", results=[], gates=[runner.Gate("m", 1.0, 0.5)])
    runner.write_outputs(run, str(tmp_path / "r.md"), str(tmp_path / "j.xml"), str(tmp_path / "r.json"))
    assert sorted(written) == ["c.json", "j.xml", "r.json", "r.md"]
    assert json.loads((tmp_path / "c.json").read_text())["entries"] == {"k": {"status": 200}}


def test_tolerant_text():
    assert tolerant_text("plain") == "plain"
    assert tolerant_text("caf\udce9") == "caf\ufffd"
    assert tolerant_text("caf\udcc3\udca9") == "café"  # escaped bytes that were UTF-8 after all
    assert tolerant_text("x\ud800y") == "x\ufffdy"
