"""Reading the listening corpus (`evals/corpus/`) into training examples, shared by training and evals.

Sentences are cut into the same units the reader uses at run time (`sentences.units`), so what the heads
learn from is what they will see.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from agent.listening.labels import QUESTION_ACTS, SENTENCE_LABELS
from agent.listening.sentences import units

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "evals" / "corpus"
TRAIN_DIR = CORPUS / "train"
TEST_DIR = CORPUS / "test"
TEST_HASHES = CORPUS / "test.sha256"


@dataclass(frozen=True)
class SentenceExample:
    text: str
    labels: frozenset[str]
    closing: bool
    aside: bool
    first: bool
    last: bool
    group: str  # the author: cross-validation holds one author out at a time
    record: str
    question: str = ""  # the interviewer turn the answer follows
    answer: str = ""  # the whole answer the sentence belongs to


@dataclass(frozen=True)
class AnswerExample:
    question: str
    answer: str
    sentences: int
    relation: str
    group: str
    record: str


@dataclass(frozen=True)
class QuestionExample:
    text: str
    acts: frozenset[str]
    topic: str  # a plan topic or "none"
    group: str


@dataclass
class Corpus:
    sentences: list[SentenceExample] = field(default_factory=list)
    answers: list[AnswerExample] = field(default_factory=list)
    questions: list[QuestionExample] = field(default_factory=list)
    transcripts: list[dict] = field(default_factory=list)


def answer_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.jsonl") if not p.name.startswith(("transcripts", "interviewer")))


def interviewer_files(folder: Path) -> list[Path]:
    """Interviewer turns labeled on their own: `{"text", "acts", "topic"}` per line."""
    return sorted(folder.glob("interviewer*.jsonl"))


def transcript_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("transcripts*.jsonl"))


def _records(paths: list[Path]) -> list[dict]:
    out = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                out.append(json.loads(line))
    return out


UNPLACED_WORDS = 3


def load(folder: Path, *, training: bool = False) -> Corpus:
    """`training`: leave out the short pieces of a labeled sentence the reader cuts in several (the "Thank you."
    of "Thank you. What's behind the Lisbon delay?"): the labels can't say which piece carries them, and
    learning them on "Thank you." taught the heads that thanks is a researched question."""
    corpus = Corpus()
    seen_questions: set[str] = set()
    for rec in _records(answer_files(folder)):
        group = rec.get("author") or rec["id"].split("-")[0]
        closing = rec["stage"] == "closing"
        sentences = rec["sentences"]
        whole = " ".join(s["text"] for s in sentences)
        for n, sentence in enumerate(sentences):
            labels = frozenset(sentence.get("labels", [])) & frozenset(SENTENCE_LABELS)
            pieces = units(sentence["text"])
            has_aside = any(u.aside for u in pieces)
            several = labels and sum(not u.aside for u in pieces) > 1
            for unit in pieces:
                if training and several and not unit.aside and len(unit.text.split()) <= UNPLACED_WORDS:
                    continue
                # An aside keeps only the grader label; its sentence keeps the rest.
                own = labels & {"grader"} if unit.aside else (labels - {"grader"} if has_aside else labels)
                corpus.sentences.append(
                    SentenceExample(unit.text, frozenset(own), closing, unit.aside, n == 0, n == len(sentences) - 1,
                                    group, rec["id"], rec["question"], whole)
                )
        if rec.get("relation"):
            answer = " ".join(s["text"] for s in sentences)
            corpus.answers.append(
                AnswerExample(rec["question"], answer, len(sentences), rec["relation"], group, rec["id"])
            )
        question = " ".join(rec["question"].split())
        if question not in seen_questions:
            seen_questions.add(question)
            acts = frozenset(rec.get("question_acts", [])) & frozenset(QUESTION_ACTS)
            topic = str(rec.get("topic")) if rec["stage"] == "plan" and rec.get("topic") else "none"
            corpus.questions.append(QuestionExample(question, acts, topic, group))
    for rec in _records(interviewer_files(folder)):
        text = " ".join(rec["text"].split())
        if text not in seen_questions:
            seen_questions.add(text)
            acts = frozenset(rec.get("acts", [])) & frozenset(QUESTION_ACTS)
            group = rec.get("author") or rec["id"].split("-")[0]
            corpus.questions.append(QuestionExample(text, acts, str(rec.get("topic") or "none"), group))
    corpus.transcripts = _records(transcript_files(folder))
    return corpus


def file_hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.jsonl"))}


def check_frozen() -> list[str]:
    """Differences between the test split on disk and the hashes it was frozen with (empty when intact)."""
    frozen = dict(line.split("  ", 1)[::-1] for line in TEST_HASHES.read_text().splitlines() if line.strip())
    now = file_hashes(TEST_DIR)
    problems = [f"{name}: changed since it was frozen" for name in frozen if now.get(name) not in (None, frozen[name])]
    problems += [f"{name}: missing" for name in frozen if name not in now]
    problems += [f"{name}: not in the frozen list" for name in now if name not in frozen]
    return problems
