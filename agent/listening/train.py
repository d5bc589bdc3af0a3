"""`make train`: rebuild the listener's heads from the corpus, deterministically, without torch.

    python -m agent.listening.train [--report PATH]

Every head is a logistic regression (scikit-learn) over the features in `features.py`. Its settings and
each label's decision threshold are chosen by cross-validation that holds whole corpus authors out (see
`_folds`) — a stand-in for people who write differently from us. The frozen test split is never read here. The result
is `agent/data/listener/heads.npz` (plain arrays: run time needs numpy only) and `heads.json` (labels,
thresholds, sha256, the cross-validated figures).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from agent.listening import corpus as corpus_mod
from agent.listening import features
from agent.listening.labels import QUESTION_ACTS, RELATIONS, SENTENCE_LABELS
from agent.listening.model import (
    HEADS_FILE,
    MANIFEST_FILE,
    LinearHead,
    embed,
    head_arrays,
    sha256,
    text_features,
)
from agent.models import TOPICS

VERSION = 1
C_GRID = (0.5, 2.0)
MAX_FOLDS = 8  # authors held out together past this many (see _folds)
THRESHOLD_GRID = tuple(round(x, 2) for x in np.arange(0.05, 0.86, 0.05))
TOPIC_CLASSES = (*TOPICS, "none")


@dataclass(frozen=True)
class Variant:
    """Which feature blocks a head uses: the ablation compares these."""

    name: str
    embedding: bool = True
    ngrams: bool = True
    structure: bool = True


CHOSEN = Variant("static embedding + n-grams + structure")
VARIANTS = (
    Variant("n-grams + structure", embedding=False),
    Variant("static embedding + structure", ngrams=False),
    CHOSEN,
)


def design(dense: np.ndarray, ids: Sequence[Sequence[int]], variant: Variant, n_structure: int) -> Any:
    """The sparse matrix a head is fitted on: [embedding | structure | n-gram one-hot]."""
    from scipy import sparse

    blocks = []
    emb, struct = dense[:, : dense.shape[1] - n_structure], dense[:, dense.shape[1] - n_structure :]
    blocks.append(sparse.csr_matrix(emb if variant.embedding else np.zeros_like(emb)))
    blocks.append(sparse.csr_matrix(struct if variant.structure else np.zeros_like(struct)))
    rows = np.repeat(np.arange(len(ids)), [len(i) for i in ids])
    cols = np.fromiter((c for i in ids for c in i), dtype=np.int64, count=len(rows))
    data = np.ones(len(rows), dtype=np.float32) if variant.ngrams else np.zeros(len(rows), dtype=np.float32)
    blocks.append(sparse.csr_matrix((data, (rows, cols)), shape=(len(ids), features.NGRAM_BUCKETS)))
    return sparse.hstack(blocks, format="csr")


def _fit_binary(x: Any, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():  # a label with no positives in this fold: never fires
        return np.zeros(x.shape[1]), -10.0
    # Balanced: rare signals get mid-range probabilities, so thresholds sit where paraphrases read alike.
    model = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=2000)
    model.fit(x, y)
    return model.coef_[0], float(model.intercept_[0])


def _fit_multiclass(x: Any, y: np.ndarray, c: float, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest (liblinear is fast on wide sparse data); run time takes the argmax of the logits."""
    fits = [_fit_binary(x, (y == k).astype(np.int64), c) for k in range(n_classes)]
    return np.array([w for w, _ in fits]), np.array([b for _, b in fits])


def _folds(groups: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Hold authors out: each fold's test part is whole authors, never seen in its training part. Past
    MAX_FOLDS authors, they are dealt into MAX_FOLDS folds of about equal size (largest first), which keeps
    training minutes flat as writers join. Authors with too little data are always trained on."""
    g = np.array(groups)
    sizes = sorted(((int((g == name).sum()), name) for name in set(groups)), key=lambda sn: (-sn[0], sn[1]))
    held = [name for n, name in sizes if n >= 30]
    bins: list[list[str]] = [[] for _ in range(min(MAX_FOLDS, len(held)))]
    load = [0] * len(bins)
    for name in held:
        k = load.index(min(load))
        bins[k].append(name)
        load[k] += int((g == name).sum())
    return [(np.where(~np.isin(g, names))[0], np.where(np.isin(g, names))[0]) for names in bins]


def _best_f1(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    from sklearn.metrics import f1_score

    best = (0.5, -1.0)
    for t in THRESHOLD_GRID:
        f1 = f1_score(y, p >= t, zero_division=0)
        if f1 > best[1]:
            best = (t, f1)
    return best


Folds = list[tuple[np.ndarray, np.ndarray]]


def _fit_label(x: Any, y: np.ndarray, folds: Folds) -> tuple[float, float, float, np.ndarray, float]:
    """One label: (threshold, cross-validated F1, C, weights, bias)."""
    if not folds:  # too little data to hold an author out: default settings
        w, b = _fit_binary(x, y, C_GRID[0])
        return 0.5, 0.0, C_GRID[0], w, b
    best: tuple[float, float, float] | None = None
    held = np.concatenate([t for _, t in folds])
    for c in C_GRID:
        oof = np.zeros(len(y))
        for train, test in folds:
            w, b = _fit_binary(x[train], y[train], c)
            oof[test] = 1 / (1 + np.exp(-(x[test] @ w + b)))
        t, f1 = _best_f1(y[held], oof[held])
        if best is None or f1 > best[1]:
            best = (t, f1, c)
    assert best is not None
    w, b = _fit_binary(x, y, best[2])
    return (*best, w, b)


def fit_binary_head(
    labels: tuple[str, ...], dense: np.ndarray, ids: list[list[int]], y: np.ndarray, groups: list[str],
    variant: Variant, n_structure: int, log: Callable[[str], None],
) -> tuple[LinearHead, dict[str, Any]]:
    """Per label: C and threshold by holding authors out, then a fit on everything. Labels are fitted in
    parallel (one process per core: liblinear is single-threaded); each fit is deterministic, so the result
    does not depend on how many cores ran it."""
    from joblib import Parallel, delayed

    x = design(dense, ids, variant, n_structure)
    folds = _folds(groups)
    fits = Parallel(n_jobs=min(len(labels), os.cpu_count() or 1))(
        delayed(_fit_label)(x, y[:, j], folds) for j in range(len(labels))
    )
    report: dict[str, Any] = {}
    for label, (t, f1, c, _, _), positives in zip(labels, fits, y.sum(axis=0), strict=True):
        report[label] = {"cv_f1": round(f1, 3), "C": c, "threshold": t, "positives": int(positives)}
        log(f"  {label:<18} F1 {f1:.3f}  C={c}  t={t}  n+={int(positives)}")
    coefs, biases, thresholds = (np.array([f[k] for f in fits]) for k in (3, 4, 0))
    return _export(labels, coefs, biases, thresholds, dense.shape[1], False), report


def fit_multiclass_head(
    labels: tuple[str, ...], dense: np.ndarray, ids: list[list[int]], y: np.ndarray, groups: list[str],
    variant: Variant, n_structure: int, log: Callable[[str], None],
) -> tuple[LinearHead, dict[str, Any]]:
    from sklearn.metrics import accuracy_score, f1_score

    x = design(dense, ids, variant, n_structure)
    folds = _folds(groups)
    best: tuple[float, float] | None = (C_GRID[0], 0.0, 0.0) if not folds else None  # type: ignore[assignment]
    for c in C_GRID if folds else ():
        pred = np.full(len(y), -1)
        for train, test in folds:
            w, b = _fit_multiclass(x[train], y[train], c, len(labels))
            pred[test] = np.argmax(x[test] @ w.T + b, axis=1)
        held = pred >= 0
        score = f1_score(y[held], pred[held], average="macro")
        if best is None or score > best[1]:
            best = (c, score, accuracy_score(y[held], pred[held]))  # type: ignore[assignment]
    assert best is not None
    c = best[0]
    w, b = _fit_multiclass(x, y, c, len(labels))
    log(f"  macro F1 {best[1]:.3f}  accuracy {best[2]:.3f}  C={c}")  # type: ignore[misc]
    report = {"cv_macro_f1": round(best[1], 3), "cv_accuracy": round(best[2], 3), "C": c}  # type: ignore[misc]
    return _export(labels, w, b, np.zeros(len(labels)), dense.shape[1], True), report


def _export(labels: tuple[str, ...], coef: np.ndarray, bias: np.ndarray, thresholds: np.ndarray, n_dense: int,
            multiclass: bool) -> LinearHead:
    return LinearHead(
        labels=labels,
        dense=coef[:, :n_dense].T.astype(np.float32),
        ngrams=coef[:, n_dense:].T.astype(np.float32),
        bias=bias.astype(np.float32),
        thresholds=thresholds.astype(np.float32),
        multiclass=multiclass,
    )


# --- the four heads' data ---------------------------------------------------------------------------
def sentence_dense(examples: Sequence[corpus_mod.SentenceExample],
                   embedder: Callable[[list[str]], np.ndarray] | None = None) -> np.ndarray:
    """The dense block of every unit: its embedding, its question's, its answer's, its structure."""
    embedder = embedder or embed
    texts = [e.text for e in examples]
    context = sorted({e.question for e in examples} | {e.answer for e in examples})
    vectors = dict(zip(context, embedder(context), strict=True))
    struct = np.vstack(
        [features.structure(e.text, closing=e.closing, aside=e.aside, first=e.first, last=e.last) for e in examples]
    )
    return features.sentence_dense(
        embedder(texts),
        np.vstack([vectors[e.question] for e in examples]),
        np.vstack([vectors[e.answer] for e in examples]),
        struct,
    )


def sentence_data(examples: Sequence[corpus_mod.SentenceExample]) -> tuple[np.ndarray, list[list[int]], np.ndarray]:
    y = np.array([[label in e.labels for label in SENTENCE_LABELS] for e in examples], dtype=np.int64)
    return sentence_dense(examples), [features.ngram_ids(e.text) for e in examples], y


def answer_data(
    examples: Sequence[corpus_mod.AnswerExample], topic_head: LinearHead,
    embedder: Callable[[list[str]], np.ndarray] | None = None,
) -> tuple[np.ndarray, list[list[int]], np.ndarray]:
    embedder = embedder or embed
    q = embedder([e.question for e in examples])
    a = embedder([e.answer for e in examples])
    topics_q = topic_probabilities(topic_head, [e.question for e in examples])
    topics_a = topic_probabilities(topic_head, [e.answer for e in examples])
    struct = np.vstack(
        [features.answer_structure(q[i], a[i], e.answer, e.sentences, topics_q[i], topics_a[i])
         for i, e in enumerate(examples)]
    )
    y = np.array([RELATIONS.index(e.relation) for e in examples])
    return features.relation_dense(q, a, struct), [features.ngram_ids(e.answer) for e in examples], y


def topic_probabilities(topic_head: LinearHead, texts: list[str]) -> np.ndarray:
    dense, ids = question_data_texts(texts)
    return topic_head.probabilities(dense, ids)


def question_data_texts(texts: list[str]) -> tuple[np.ndarray, list[list[int]]]:
    return text_features(texts)


def plan_questions() -> list[corpus_mod.QuestionExample]:
    """The product's own interviewer lines, labeled by where they sit in prompts/ (a group of their own)."""
    from agent.plan import context_values, load_persona, load_plan
    from agent.prompts import fill

    plan = load_plan()
    out: list[corpus_mod.QuestionExample] = []
    for persona_id in ("ceo", "board_member"):
        persona = load_persona(persona_id)
        values = {**context_values(None, persona), "first_question": "", "topic_question": ""}

        def add(line: str, acts: frozenset[str], topic: str, values: dict[str, str] = values) -> None:
            out.append(corpus_mod.QuestionExample(fill(line, values, source="plan"), acts, topic, "prompts"))

        for topic in plan.topics.values():
            for line in (*topic.questions, *topic.probes):
                add(line, frozenset(), topic.id)
        for line in (*plan.invite_questions, *plan.more_questions):
            add(line, frozenset({"invites_questions"}), "none")
        for line in persona.grant_permission:
            add(line, frozenset({"grants_permission"}), "none")
        for line in persona.closings:
            add(line, frozenset(), "none")
    return out


def question_data(examples: Sequence[corpus_mod.QuestionExample]) -> tuple[np.ndarray, list[list[int]]]:
    return question_data_texts([e.text for e in examples])


def train(variant: Variant = CHOSEN, log: Callable[[str], None] = print) -> tuple[dict[str, LinearHead], dict]:
    data = corpus_mod.load(corpus_mod.TRAIN_DIR, training=True)
    if not data.sentences:
        raise SystemExit("no training corpus under evals/corpus/train/")
    n_struct = len(features.STRUCTURE)
    heads: dict[str, LinearHead] = {}
    report: dict[str, Any] = {"examples": {}}

    started = time.perf_counter()
    log(f"sentence head: {len(data.sentences)} units from {len({e.record for e in data.sentences})} answers")
    dense, ids, y = sentence_data(data.sentences)
    heads["sentence"], report["sentence"] = fit_binary_head(
        SENTENCE_LABELS, dense, ids, y, [e.group for e in data.sentences], variant, n_struct, log
    )

    questions = data.questions + plan_questions()
    log(f"interviewer heads: {len(questions)} turns ({time.perf_counter() - started:.0f} s so far)")
    dense, ids = question_data(questions)
    groups = [q.group for q in questions]
    ya = np.array([[act in q.acts for act in QUESTION_ACTS] for q in questions], dtype=np.int64)
    heads["acts"], report["acts"] = fit_binary_head(QUESTION_ACTS, dense, ids, ya, groups, variant, 0, log)
    yt = np.array([TOPIC_CLASSES.index(q.topic) for q in questions])
    heads["topic"], report["topic"] = fit_multiclass_head(TOPIC_CLASSES, dense, ids, yt, groups, variant, 0, log)

    log(f"relation head: {len(data.answers)} answers ({time.perf_counter() - started:.0f} s so far)")
    dense, ids, yr = answer_data(data.answers, heads["topic"])
    heads["relation"], report["relation"] = fit_multiclass_head(
        RELATIONS, dense, ids, yr, [e.group for e in data.answers], variant, len(features.ANSWER_STRUCTURE), log
    )
    report["examples"] = {
        "sentences": len(data.sentences), "answers": len(data.answers), "interviewer_turns": len(questions),
        "authors": sorted({e.group for e in data.sentences}),
    }
    return heads, report


def save(heads: dict[str, LinearHead], report: dict) -> None:
    arrays: dict[str, np.ndarray] = {}
    for name, head in heads.items():
        arrays.update(head_arrays(name, head))
    HEADS_FILE.parent.mkdir(parents=True, exist_ok=True)
    tmp = HEADS_FILE.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)  # type: ignore[arg-type]
    tmp.replace(HEADS_FILE)
    manifest = {
        "version": VERSION,
        "variant": CHOSEN.name,
        "sha256": sha256(HEADS_FILE),
        "corpus": corpus_mod.file_hashes(corpus_mod.TRAIN_DIR),
        "heads": {name: {"labels": list(h.labels), "multiclass": h.multiclass} for name, h in heads.items()},
        "cross_validation": report,
    }
    tmp_manifest = MANIFEST_FILE.with_suffix(".tmp")
    tmp_manifest.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp_manifest.replace(MANIFEST_FILE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent.listening.train", description=__doc__.split("\n")[0])
    parser.parse_args(argv)
    heads, report = train()
    save(heads, report)
    print(f"wrote {HEADS_FILE} ({HEADS_FILE.stat().st_size // 1024} KiB) and {MANIFEST_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
