"""The learned part of the listener: a static encoder and linear heads, loaded once, checked, numpy only.

The encoder is model2vec's distillation of all-MiniLM-L6-v2 (`tools/distill_encoder.py`), shipped in the
package and pinned by sha256; the heads are the file `make train` writes (`agent/listening/train.py`).
Nothing is fetched at run time, and a file that doesn't match its hash is refused rather than half-used.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from agent.listening import features

DATA = Path(__file__).resolve().parent.parent / "data" / "listener"
ENCODER_DIR = DATA / "encoder"
HEADS_FILE = DATA / "heads.npz"
MANIFEST_FILE = DATA / "heads.json"
ENCODER_SHA256 = {
    "config.json": "bbd464a815ee25e353b097ca9e7335295dfdd8e304660819a94fba263b6ea32c",
    "model.safetensors": "3ad0f737a50e1eb792dad270e26461f7eb9f1b9d0ff47bd699b4e2d67af01611",
    "tokenizer.json": "dd33465341c98889c3338356b6200c8b232b89af5f1b7aa8e6ee1d4d7a699631",
}


class ModelFileError(RuntimeError):
    """A shipped model file is missing or not the one this code was built against."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check(path: Path, expected: str) -> None:
    if not path.is_file():
        raise ModelFileError(f"{path}: missing (reinstall mock-interview, or run `make train` for the heads)")
    if sha256(path) != expected:
        raise ModelFileError(f"{path}: sha256 does not match the pinned model; reinstall mock-interview")


@cache
def encoder() -> Any:
    """The static encoder, after checking every file against its pinned hash."""
    for name, digest in ENCODER_SHA256.items():
        _check(ENCODER_DIR / name, digest)
    from model2vec import StaticModel

    return StaticModel.from_pretrained(str(ENCODER_DIR))


_MEMO: dict[str, np.ndarray] = {}
_MEMO_LIMIT = 50_000


def memoise(texts: list[str]) -> None:
    """Encode, in one batch, those of these texts not seen before: the reader asks for a transcript's texts
    up front, then finds them here turn by turn."""
    missing = list(dict.fromkeys(t for t in texts if t not in _MEMO))
    if missing:
        if len(_MEMO) + len(missing) > _MEMO_LIMIT:
            _MEMO.clear()
        vectors = np.asarray(encoder().encode(missing, show_progress_bar=False), dtype=np.float32)
        _MEMO.update(zip(missing, vectors, strict=True))


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text (float32), through the memo."""
    if not texts:
        return np.zeros((0, 256), dtype=np.float32)
    memoise(texts)
    return np.vstack([_MEMO[t] for t in texts])


@dataclass(frozen=True)
class LinearHead:
    """Logistic regression over [embedding, structure] plus hashed n-grams, exported as plain arrays."""

    labels: tuple[str, ...]
    dense: np.ndarray  # [n_dense, n_labels]
    ngrams: np.ndarray  # [NGRAM_BUCKETS, n_labels]
    bias: np.ndarray  # [n_labels]
    thresholds: np.ndarray  # [n_labels]; unused by multiclass heads
    multiclass: bool

    def logits(self, dense: np.ndarray, ngram_ids: list[list[int]]) -> np.ndarray:
        out = dense @ self.dense + self.bias
        sizes = np.fromiter(map(len, ngram_ids), dtype=np.intp, count=len(ngram_ids))
        rows = np.flatnonzero(sizes)
        if rows.size:  # every row's n-gram weights summed in one gather and one segmented sum
            flat = self.ngrams[np.fromiter(itertools.chain.from_iterable(ngram_ids), dtype=np.intp)]
            starts = np.concatenate(([0], np.cumsum(sizes[rows])[:-1]))
            out[rows] += np.add.reduceat(flat, starts, axis=0, dtype=np.float32)
        return out

    def probabilities(self, dense: np.ndarray, ngram_ids: list[list[int]]) -> np.ndarray:
        z = self.logits(dense, ngram_ids)
        if self.multiclass:
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            return e / e.sum(axis=1, keepdims=True)
        return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class Heads:
    sentence: LinearHead  # what a candidate sentence does
    acts: LinearHead  # what an interviewer turn does
    topic: LinearHead  # which plan topic an interviewer turn raises ("none" included)
    relation: LinearHead  # answered / thin / dodged
    manifest: dict[str, Any]


def head_arrays(name: str, head: LinearHead) -> dict[str, np.ndarray]:
    return {
        f"{name}.dense": head.dense.astype(np.float32),
        f"{name}.ngrams": head.ngrams.astype(np.float16),
        f"{name}.bias": head.bias.astype(np.float32),
        f"{name}.thresholds": head.thresholds.astype(np.float32),
    }


@cache
def heads() -> Heads:
    try:
        manifest = json.loads(MANIFEST_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{MANIFEST_FILE}: unreadable ({exc}); run `make train`") from None
    _check(HEADS_FILE, manifest["sha256"])
    with np.load(HEADS_FILE) as arrays:

        def load(name: str) -> LinearHead:
            spec = manifest["heads"][name]
            return LinearHead(
                labels=tuple(spec["labels"]),
                dense=arrays[f"{name}.dense"],
                ngrams=arrays[f"{name}.ngrams"].astype(np.float32),
                bias=arrays[f"{name}.bias"],
                thresholds=arrays[f"{name}.thresholds"],
                multiclass=spec["multiclass"],
            )

        return Heads(load("sentence"), load("acts"), load("topic"), load("relation"), manifest)


def text_features(texts: list[str]) -> tuple[np.ndarray, list[list[int]]]:
    """What the interviewer heads see of each text: its weighted embedding and its n-gram ids."""
    return (embed(texts) * features.EMBEDDING_WEIGHT).astype(np.float32), [features.ngram_ids(t) for t in texts]
