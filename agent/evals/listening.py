"""How well the listener hears, on the frozen test split (`evals/corpus/test/`, see evals/README.md).

Per-signal precision, recall and F1 over the test sentences; the answered / thin / dodged confusion matrix;
the transcript-level agreement of the offline scorer with the test transcripts' labels; and the ablation
table that `python -m agent.evals.ablation` wrote (rules, each encoder tried, the chosen one). The split is
checked against the hashes it was frozen with before anything is measured.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from agent.listening import corpus as corpus_mod
from agent.listening.labels import RELATIONS, SENTENCE_LABELS

Predictor = Callable[[Sequence[corpus_mod.SentenceExample]], np.ndarray]


def gold_matrix(examples: Sequence[corpus_mod.SentenceExample]) -> np.ndarray:
    return np.array([[label in e.labels for label in SENTENCE_LABELS] for e in examples], dtype=bool)


def listener_predictions(examples: Sequence[corpus_mod.SentenceExample]) -> np.ndarray:
    """The shipped heads over each test unit, exactly as the reader runs them."""
    from agent.listening import features, model
    from agent.listening.train import sentence_dense

    heads = model.heads().sentence
    probs = heads.probabilities(sentence_dense(examples), [features.ngram_ids(e.text) for e in examples])
    return probs >= heads.thresholds[None, :]


def rules_predictions(examples: Sequence[corpus_mod.SentenceExample]) -> np.ndarray:
    from agent.evals.baseline import rule_labels

    return np.array([[label in rule_labels(e.text) for label in SENTENCE_LABELS] for e in examples], dtype=bool)


def per_label(gold: np.ndarray, pred: np.ndarray) -> dict[str, dict[str, float]]:
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, support = precision_recall_fscore_support(gold, pred, zero_division=0)
    return {
        label: {"precision": float(p[j]), "recall": float(r[j]), "f1": float(f[j]), "support": int(support[j])}
        for j, label in enumerate(SENTENCE_LABELS)
    }


def macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, average="macro", zero_division=0))


def relation_confusion(answers: Sequence[corpus_mod.AnswerExample]) -> tuple[list[list[int]], float]:
    from sklearn.metrics import accuracy_score, confusion_matrix

    from agent.listening.reader import read_relation

    gold = [a.relation for a in answers]
    pred = [read_relation(a.question, a.answer)[0] for a in answers]
    matrix = confusion_matrix(gold, pred, labels=list(RELATIONS)).tolist()
    return matrix, float(accuracy_score(gold, pred)) if answers else 1.0


def load_test() -> tuple[corpus_mod.Corpus, list[str]]:
    return corpus_mod.load(corpus_mod.TEST_DIR), corpus_mod.check_frozen()


def summary_rows(table: dict[str, dict[str, float]]) -> list[list[Any]]:
    return [
        [label, f"{v['precision']:.2f}", f"{v['recall']:.2f}", f"{v['f1']:.2f}", v["support"]]
        for label, v in table.items()
    ]
