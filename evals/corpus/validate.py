"""Check corpus files against GUIDE.md and print what they hold: `python3 evals/corpus/validate.py FILE...`.

Answer files (`*.jsonl` with `sentences`), labeled transcript files (`*.jsonl` with `turns`) and
interviewer turns (`interviewer-*.jsonl`, with `acts`) are all accepted. Exits 1 on the first format error of
each file (with its line), after printing the counts.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

SENTENCE_LABELS = (
    "directs", "criticizes", "permission", "credit", "learning", "self_promotion", "belittles",
    "specific_question", "generic_question", "pay_question", "job_ask", "job_ask_tentative", "push",
    "pressure", "interest", "grader",
)
QUESTION_ACTS = ("invites_critique", "raises_pay", "invites_questions", "grants_permission")
TOPICS = ("team_fit", "rocking_the_boat", "integrity", "cost_and_ramp_up", "tenure", "preparation")
RELATIONS = ("answered", "thin", "dodged")
OUTCOMES = ("asked", "not_asked", "premature")
KINDS = ("told_how_to_run_business", "criticized_product", "closed_too_soon")


def check_interviewer(rec: dict) -> None:
    for key in ("id", "author", "persona", "text", "acts"):
        assert key in rec, f"missing {key}"
    assert rec["persona"] in ("ceo", "board_member"), "persona"
    assert isinstance(rec["text"], str) and rec["text"].strip(), "empty text"
    assert set(rec["acts"]) <= set(QUESTION_ACTS), f"acts {rec['acts']}"
    assert rec.get("topic") in (*TOPICS, None), f"topic {rec.get('topic')!r}"


def check_answer(rec: dict) -> None:
    for key in ("id", "author", "industry", "persona", "voice", "stage", "question", "sentences"):
        assert key in rec, f"missing {key}"
    assert rec["persona"] in ("ceo", "board_member"), "persona"
    assert rec["stage"] in ("plan", "closing"), "stage"
    assert rec.get("topic") in (*TOPICS, None), f"topic {rec.get('topic')!r}"
    assert set(rec.get("question_acts", [])) <= set(QUESTION_ACTS), f"question_acts {rec.get('question_acts')}"
    assert rec["sentences"], "no sentences"
    for s in rec["sentences"]:
        assert isinstance(s.get("text"), str) and s["text"].strip(), "empty sentence"
        bad = set(s.get("labels", [])) - set(SENTENCE_LABELS)
        assert not bad, f"unknown labels {bad}"
    rel = rec.get("relation")
    assert rel in (*RELATIONS, None), f"relation {rel!r}"
    if rec["stage"] == "plan" and rec.get("topic"):
        assert rel is not None, "a plan answer to a topic question needs a relation"


def check_transcript(rec: dict) -> None:
    assert rec.get("id") and rec.get("persona") in ("ceo", "board_member"), "id/persona"
    turns = rec["turns"]
    assert turns and all(t.get("speaker") in ("interviewer", "candidate") and t.get("text") for t in turns), "turns"
    labels = rec["labels"]
    for key in ("humility", "curiosity", "asked_for_job_score"):
        assert labels.get(key) in (1, 2, 3, 4, 5), key
    assert labels.get("asked_for_job") in OUTCOMES, "asked_for_job"
    assert set(labels.get("deal_breakers", [])) <= set(KINDS), "deal_breakers"


def main(paths: list[str]) -> int:
    status = 0
    labels: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    if "turns" in rec:
                        check_transcript(rec)
                        other["transcripts"] += 1
                        other[f"humility={rec['labels']['humility']}"] += 1
                        other[f"outcome={rec['labels']['asked_for_job']}"] += 1
                        other["industries:" + str(rec.get("context", {}).get("industry"))] += 0
                        continue
                    if "acts" in rec and "sentences" not in rec:
                        check_interviewer(rec)
                        other["interviewer turns"] += 1
                        other[f"topic={rec.get('topic')}"] += 1
                        for act in rec["acts"]:
                            other[f"act={act}"] += 1
                        continue
                    check_answer(rec)
                except (AssertionError, KeyError, TypeError, ValueError) as exc:
                    print(f"{path}:{n}: {exc}")
                    status = 1
                    break
                other["answers"] += 1
                other[f"stage={rec['stage']}"] += 1
                other[f"relation={rec.get('relation')}"] += 1
                other[f"voice={rec['voice']}"] += 1
                other["industries:" + rec["industry"]] += 0
                for act in rec.get("question_acts", []):
                    other[f"act={act}"] += 1
                for s in rec["sentences"]:
                    other["sentences"] += 1
                    labels.update(s.get("labels", []) or ["(none)"])
    industries = {k for k in other if k.startswith("industries:")}
    print({k: v for k, v in other.items() if not k.startswith("industries:")}, "industries:", len(industries))
    print(dict(sorted(labels.items(), key=lambda kv: -kv[1])))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
