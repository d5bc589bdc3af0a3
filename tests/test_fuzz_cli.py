"""Bounded fuzzing of the CLI's input (issue 8): `score` batches and piped interviews.

A fixed, derandomized budget that fits CI. Whatever the bytes: no traceback, exit codes per
shared/spec/CLI.md (0 all good, 2 any bad input), one stderr line per bad line naming its line
number, and every good line's scorecard printed, in order.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.cli import main
from agent.models import PERSONAS, Transcript
from agent.offline.scorer import score as offline_score

BUDGET = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text as people and tools really send it: every plane of Unicode (no surrogates: those can't be
# UTF-8), with the separators that str.splitlines() would wrongly cut at mixed in.
TRICKY = st.sampled_from(["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c", "\r", "\t", "\x00", "\ufeff"])
TEXT = st.lists(st.one_of(st.text(max_size=40), TRICKY), max_size=6).map("".join)
WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)


@st.composite
def transcripts(draw: st.DrawFn) -> dict:
    turns = []
    for _ in range(draw(st.integers(1, 6))):
        turn: dict = {"speaker": draw(st.sampled_from(["interviewer", "candidate"])), "text": draw(TEXT)}
        if draw(st.booleans()):
            turn["topic"] = draw(st.one_of(st.sampled_from(["team_fit", "tenure", "culture"]), WORDS))
        if draw(st.booleans()):
            turn["move"] = draw(WORDS)
        turns.append(turn)
    doc: dict = {"persona": draw(st.sampled_from(PERSONAS)), "turns": turns}
    if draw(st.booleans()):
        doc["context"] = {"company": draw(st.one_of(st.none(), WORDS)), "role": draw(st.one_of(st.none(), WORDS))}
    if draw(st.booleans()):
        doc["id"] = draw(st.one_of(WORDS, st.integers(), st.floats(allow_nan=False)))
    return doc


def good_line(doc: dict, ascii_only: bool) -> bytes:
    return json.dumps(doc, ensure_ascii=ascii_only).encode("utf-8")


@st.composite
def bad_lines(draw: st.DrawFn) -> bytes:
    """A line that can never be a transcript, yet is not blank."""
    kind = draw(st.sampled_from(["bytes", "text", "deep", "digits", "surrogate", "broken", "not_object"]))
    if kind == "bytes":  # never UTF-8: starts with a byte no UTF-8 sequence can
        return b"\xff" + draw(st.binary(max_size=60)).replace(b"\n", b"")
    if kind == "text":  # anything whose first non-blank character can't open a JSON object
        text = draw(st.text(min_size=1, max_size=80).filter(lambda t: "\n" not in t))
        return ("x" + text).encode("utf-8")
    if kind == "deep":
        n = draw(st.sampled_from([500, 5_000, 100_000]))
        return b"[" * n + b"]" * n
    if kind == "digits":
        return b'{"persona": "ceo", "turns": [], "n": ' + b"9" * draw(st.integers(4301, 6000)) + b"}"
    doc = draw(transcripts())
    if kind == "surrogate":
        doc["turns"][0]["text"] = "@@"
        return json.dumps(doc).replace('"@@"', '"\\ud800"').encode()
    if kind == "broken":
        mutation = draw(st.sampled_from(["persona", "turns", "speaker", "text", "context"]))
        if mutation == "persona":
            doc["persona"] = draw(WORDS.filter(lambda w: w not in PERSONAS))
        elif mutation == "turns":
            doc["turns"] = []
        elif mutation == "speaker":
            doc["turns"][0]["speaker"] = "coach"
        elif mutation == "text":
            doc["turns"][0]["text"] = draw(st.one_of(st.integers(), st.none(), st.lists(st.integers())))
        else:
            doc["context"] = draw(WORDS)
        return json.dumps(doc, ensure_ascii=draw(st.booleans())).encode()
    return json.dumps(draw(st.one_of(st.lists(st.integers()), st.text(), st.integers(), st.none()))).encode()


LINE = st.one_of(
    st.tuples(st.just("good"), st.tuples(transcripts(), st.booleans())),
    st.tuples(st.just("bad"), bad_lines()),
    st.tuples(st.just("blank"), st.sampled_from([b"", b" ", b"\t", b"\r"])),
)


def run_main(argv: list[str], stdin: io.TextIOBase | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    try:
        if stdin is not None:
            sys.stdin = stdin  # type: ignore[assignment]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


@BUDGET
@given(lines=st.lists(LINE, min_size=1, max_size=6), newline_at_end=st.booleans())
def test_fuzzed_score_batches(lines, newline_at_end):
    raw: list[bytes] = []
    expected_cards: list[str] = []
    bad_numbers: list[int] = []
    for number, (kind, value) in enumerate(lines, start=1):
        if kind == "good":
            doc, ascii_only = value
            raw.append(good_line(doc, ascii_only))
            card = offline_score(Transcript.model_validate(doc))
            expected_cards.append(json.dumps(card.to_json_dict(), ensure_ascii=False))
        elif kind == "bad":
            raw.append(value)
            bad_numbers.append(number)
        else:
            raw.append(value)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.jsonl"
        path.write_bytes(b"\n".join(raw) + (b"\n" if newline_at_end else b""))
        code, out, err = run_main(["score", str(path), "--engine", "offline"])
    assert "Traceback" not in err
    assert code == (2 if bad_numbers else 0), err
    assert out.split("\n")[:-1] == expected_cards  # every good line, in order, nothing else
    errors = err.splitlines()
    assert [int(e[len(f"mock-interview: {path}:"):].split(":")[0]) for e in errors] == bad_numbers, err


@BUDGET
@given(doc=transcripts(), ascii_only=st.booleans(), bad=st.one_of(st.none(), bad_lines()))
def test_fuzzed_single_json_and_stdin(doc, ascii_only, bad):
    data = bad if bad is not None else good_line(doc, ascii_only)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one.json"
        path.write_bytes(data)
        from_file = run_main(["score", str(path), "--engine", "offline"])
    from_stdin = run_main(["score", "-", "--engine", "offline"], io.TextIOWrapper(io.BytesIO(data)))
    for (code, out, err), where in ((from_file, str(path)), (from_stdin, "<stdin>")):
        assert "Traceback" not in err
        if bad is None:
            assert (code, err) == (0, "")
            card = offline_score(Transcript.model_validate(doc))
            assert out == json.dumps(card.to_json_dict(), ensure_ascii=False) + "\n"
        else:
            assert (code, out) == (2, "")
            assert len(err.splitlines()) == 1 and err.startswith(f"mock-interview: {where}: ")


INPUT_LINE = st.one_of(
    st.text(max_size=80).map(lambda t: t.replace("\n", " ").encode("utf-8")),
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")),
    st.sampled_from([b"caf\xe9", b"\xff\xfe", b"\xed\xa0\x80", b"", b"   ", b"/end", b"\xe2\x80\xa8 split?"]),
)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(INPUT_LINE, max_size=12), score=st.booleans())
def test_fuzzed_piped_interview_keeps_every_line(lines, score):
    data = b"".join(line + b"\n" for line in lines)
    with tempfile.TemporaryDirectory() as folder:
        out_file = Path(folder) / "t.json"
        argv = ["interview", "--persona", "ceo", "--engine", "offline", "--transcript-out", str(out_file)]
        stdin = io.TextIOWrapper(io.BytesIO(data), errors="surrogateescape")
        code, out, err = run_main(argv + (["--score"] if score else []), stdin)
        assert (code, err) == (0, "")
        doc = json.loads(out_file.read_text(encoding="utf-8"))
    Transcript.model_validate(doc)
    said = [t["text"] for t in doc["turns"] if t["speaker"] == "candidate"]
    sent = [line.decode("utf-8", "replace") for line in lines]
    sent = [s for s in sent if s.strip()]
    closed = doc["turns"][-1]["speaker"] == "interviewer"
    assert said == sent[: len(said)]  # in order, none altered but for U+FFFD where bytes were not UTF-8
    assert len(said) == len(sent) or closed  # only lines after the interviewer closed go unused
    if score:
        assert json.loads(out.rstrip("\n").split("\n")[-1])["engine"] == "offline"  # "\n" only: see splitlines
