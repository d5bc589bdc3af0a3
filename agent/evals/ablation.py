"""The ablation: each reader tried, trained the same way on the training corpus, measured once on the frozen
test split. Writes `evals/reports/ablation.json`, which `mock-interview eval` prints.

    python -m agent.evals.ablation [--minilm CACHE.npz]

Rows: the phrase-list rules the listener replaced; the linear heads over n-grams alone, over the static
encoder alone, and over both (the shipped reader); and, given a cache of all-MiniLM-L6-v2 embeddings
(`tools/minilm_embed.py`, development only: it needs torch), the same heads over the full transformer.
`--texts OUT.json` writes every text that row embeds, the input of `tools/minilm_embed.py`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from agent.evals import listening as L
from agent.listening import corpus as corpus_mod
from agent.listening import features, train
from agent.listening.labels import RELATIONS, SENTENCE_LABELS

REPORT = corpus_mod.ROOT / "evals" / "reports" / "ablation.json"
SHOWN = ("directs", "criticizes", "push", "specific_question", "job_ask", "learning", "credit", "grader")


def _heads_predict(embedder: Callable[[list[str]], np.ndarray], variant: train.Variant,
                   data: corpus_mod.Corpus, test: corpus_mod.Corpus) -> tuple[np.ndarray, float]:
    """Fit the sentence and relation heads with this embedder and variant; predict the test split."""
    def sentence_block(examples: list[corpus_mod.SentenceExample]) -> tuple[np.ndarray, list[list[int]]]:
        return train.sentence_dense(examples, embedder), [features.ngram_ids(e.text) for e in examples]

    dense, ids = sentence_block(data.sentences)
    y = np.array([[label in e.labels for label in SENTENCE_LABELS] for e in data.sentences], dtype=np.int64)
    head, _ = train.fit_binary_head(SENTENCE_LABELS, dense, ids, y, [e.group for e in data.sentences], variant,
                                    len(features.STRUCTURE), lambda _: None)
    test_dense, test_ids = sentence_block(test.sentences)
    pred = head.probabilities(test_dense, test_ids) >= head.thresholds[None, :]

    from agent.listening.model import heads as shipped

    def answer_block(examples: list[corpus_mod.AnswerExample]) -> tuple[np.ndarray, list[list[int]]]:
        dense, ids, _ = train.answer_data(examples, shipped().topic, embedder)
        return dense, ids

    dense, ids = answer_block(data.answers)
    yr = np.array([RELATIONS.index(e.relation) for e in data.answers])
    rhead, _ = train.fit_multiclass_head(RELATIONS, dense, ids, yr, [e.group for e in data.answers], variant,
                                         len(features.ANSWER_STRUCTURE), lambda _: None)
    test_dense, test_ids = answer_block(test.answers)
    got = np.argmax(rhead.probabilities(test_dense, test_ids), axis=1)
    gold = np.array([RELATIONS.index(e.relation) for e in test.answers])
    return pred, float((got == gold).mean()) if len(gold) else 1.0


def _cached(path: Path) -> Callable[[list[str]], np.ndarray]:
    with np.load(path, allow_pickle=False) as cache:
        table = dict(zip(cache["texts"].tolist(), cache["vectors"], strict=True))
    return lambda texts: np.vstack([table[t] for t in texts]).astype(np.float32)


def _texts_embedded(data: corpus_mod.Corpus, test: corpus_mod.Corpus) -> list[str]:
    """Every text `_heads_predict` hands its embedder, in a stable order."""
    seen: dict[str, None] = {}

    def record(texts: list[str]) -> np.ndarray:
        seen.update(dict.fromkeys(texts))
        return np.zeros((len(texts), 1), dtype=np.float32)

    for split in (data, test):
        train.sentence_dense(split.sentences, record)
        record([e.question for e in split.answers] + [e.answer for e in split.answers])
    return list(seen)


def _row(name: str, gold: np.ndarray, pred: np.ndarray, relation: float | None, chosen: bool = False) -> dict:
    table = L.per_label(gold, pred)
    return {
        "name": name, "chosen": chosen, "macro_f1": round(L.macro_f1(gold, pred), 3),
        "f1": {k: round(v["f1"], 3) for k, v in table.items()},
        "relation_accuracy": None if relation is None else round(relation, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent.evals.ablation", description=__doc__.split("\n")[0])
    parser.add_argument("--minilm", type=Path, help="a cache of all-MiniLM-L6-v2 embeddings (tools/minilm_embed.py)")
    parser.add_argument("--texts", type=Path, help="write the texts the MiniLM row embeds (JSON) and stop")
    args = parser.parse_args(argv)
    from agent.listening.model import embed

    data = corpus_mod.load(corpus_mod.TRAIN_DIR, training=True)
    test, problems = L.load_test()
    if problems:
        print("the test split is not the frozen one: " + "; ".join(problems), file=sys.stderr)
        return 2
    if args.texts:
        args.texts.write_text(json.dumps(_texts_embedded(data, test)), encoding="utf-8")
        print(f"wrote {args.texts}", file=sys.stderr)
        return 0
    gold = L.gold_matrix(test.sentences)
    rows = [_row("rules (the phrase lists replaced)", gold, L.rules_predictions(test.sentences), None)]
    for variant in train.VARIANTS:
        print(f"fitting: {variant.name}", file=sys.stderr)
        pred, rel = _heads_predict(embed, variant, data, test)
        rows.append(_row(f"linear heads: {variant.name}", gold, pred, rel, chosen=variant == train.CHOSEN))
    if args.minilm:
        print("fitting: MiniLM-L6 (full transformer)", file=sys.stderr)
        pred, rel = _heads_predict(_cached(args.minilm), train.CHOSEN, data, test)
        rows.append(_row("linear heads: MiniLM-L6 transformer + n-grams + structure", gold, pred, rel))
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps({"labels": list(SHOWN), "rows": rows}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {REPORT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
