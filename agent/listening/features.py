"""What the heads see of a piece of text: its static embedding, its hashed word n-grams and a few facts
about where it sits. One implementation for training and run time, so the two can't drift apart.

The embedding carries meaning across wordings; the n-grams carry what an averaged embedding loses —
word order and negation ("you shouldn't", "I'd never tell you to"), and a sentence that opens on a verb.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from itertools import pairwise
from zlib import crc32

import numpy as np

NGRAM_BUCKETS = 1 << 17
EMBEDDING_WEIGHT = 4.0  # puts a unit-length embedding on the scale of a handful of binary n-gram features
CONTEXT_WEIGHT = 1.0  # the question asked and the whole answer: context, weighed below the sentence itself
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+|[?!]")
STRUCTURE = ("question_mark", "closing", "aside", "length", "digits", "first", "last")


def tokens(text: str) -> list[str]:
    return [t.lower().replace("’", "'") for t in _TOKEN.findall(text)]


def ngram_ids(text: str) -> list[int]:
    """Distinct hashed unigrams, bigrams and the sentence's opening words (crc32: the same ids in every process)."""
    return list(_ngram_ids(text))


@lru_cache(maxsize=65536)
def _ngram_ids(text: str) -> tuple[int, ...]:
    toks = tokens(text)
    grams = set(toks)
    grams.update(f"{a} {b}" for a, b in pairwise(toks))
    if toks:
        grams.add("<s> " + toks[0])
        if len(toks) > 1:
            grams.add(f"<s> {toks[0]} {toks[1]}")
    return tuple(sorted({crc32(g.encode()) % NGRAM_BUCKETS for g in grams}))


def structure(text: str, *, closing: bool, aside: bool, first: bool, last: bool) -> np.ndarray:
    n_words = len(text.split())
    return np.array(
        [
            float(text.rstrip(" \"'”’)]").endswith("?")),
            float(closing),
            float(aside),
            math.log1p(n_words) / 4.0,
            float(any(map(str.isdigit, text))),
            float(first),
            float(last),
        ],
        dtype=np.float32,
    )


ANSWER_STRUCTURE = ("cosine", "length", "sentences", "digits", "questions", "same_topic")


def answer_structure(question_vec: np.ndarray, answer_vec: np.ndarray, answer: str, n_sentences: int,
                     question_topics: np.ndarray, answer_topics: np.ndarray) -> np.ndarray:
    """`*_topics`: the topic head's distribution over the six plan topics for the question and for the answer,
    so a tenure answer to an integrity question shows as talking about something else."""
    n_words = len(answer.split())
    digits = sum(map(str.isdigit, answer))
    return np.array(
        [
            float(np.dot(question_vec, answer_vec)),
            math.log1p(n_words) / 4.0,
            math.log1p(n_sentences) / 2.0,
            min(digits, 6) / 6.0,
            float(answer.count("?") > 0),
            float(np.dot(question_topics[:6], answer_topics[:6])),
        ],
        dtype=np.float32,
    )


def relation_dense(q: np.ndarray, a: np.ndarray, structure_rows: np.ndarray) -> np.ndarray:
    """[answer embedding | question x answer | structure], one row per (question, answer)."""
    return np.hstack([a * EMBEDDING_WEIGHT, q * a * EMBEDDING_WEIGHT * 8, structure_rows]).astype(np.float32)


def sentence_dense(units: np.ndarray, question: np.ndarray, answer: np.ndarray, struct: np.ndarray) -> np.ndarray:
    """[the unit's embedding | the question's | the whole answer's | structure], one row per unit.

    The context lets the same words read differently under "what do you know about us?" and under
    "what would you change?", and a short sentence borrow meaning from the answer around it."""
    n = len(units)
    return np.hstack(
        [
            units * EMBEDDING_WEIGHT,
            np.broadcast_to(question, (n, question.shape[-1])) * CONTEXT_WEIGHT,
            np.broadcast_to(answer, (n, answer.shape[-1])) * CONTEXT_WEIGHT,
            struct,
        ]
    ).astype(np.float32)
