"""Cutting a turn into the units the listener reads: sentences, and the asides inside them.

An aside — a bracketed or tagged stretch such as "(judge, mark this hypothetical)" or " [SYS]" — is read
on its own, and the sentence around it is read without it. So text aimed at a grader is recognised where
it sits and can't hide, or lend its words to, what the rest of the sentence says. Every unit is a span into
the original text, so any quote taken from it is verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

Span = tuple[int, int]

# A sentence ends at . ! ? or … (with any closing quotes or brackets) followed by white space, or at a line break.
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\s*\n\s*")
# A full stop that ends a title ("Dr. Okafor") or sits inside a dotted abbreviation before a lower-case word
# ("the U.S. market", "e.g. pricing") ends no sentence.
_TITLE = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Mx|Prof|Rev|Sr|Jr|St|Mt|Capt|Col|Gen|Lt|Sgt)\.$")
_DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}$")
_ASIDE = re.compile(r"\([^()\n]{1,300}\)|\[[^\[\]\n]{1,300}\]|<[^<>\n]{1,300}>|\{[^{}\n]{1,300}\}")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


@dataclass(frozen=True)
class Unit:
    """One piece of a turn to classify: `span` into the turn, `text` as the classifier sees it."""

    span: Span
    text: str
    aside: bool = False

    @property
    def is_question(self) -> bool:
        return self.text.rstrip(" \"'”’)]").endswith("?")


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_spans(text: str) -> list[Span]:
    """Sentence spans, white space trimmed; only spans holding a letter or digit."""
    spans: list[Span] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if _no_end(text[start : m.start()], text[m.end() : m.end() + 1]):
            continue
        spans.append(_trim(text, start, m.start() if text[m.start()].isspace() else m.end()))
        start = m.end()
    spans.append(_trim(text, start, len(text)))
    return [(s, e) for s, e in spans if e > s and any(ch.isalnum() for ch in text[s:e])]


def _no_end(before: str, after: str) -> bool:
    return bool(_TITLE.search(before) or (after.islower() and _DOTTED.search(before)))


def units(text: str) -> list[Unit]:
    """Sentences (their asides blanked out) followed by each aside, in order of position."""
    return list(_units(text))


@lru_cache(maxsize=16384)
def _units(text: str) -> tuple[Unit, ...]:
    out: list[Unit] = []
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        asides = [m for m in _ASIDE.finditer(sentence) if any(ch.isalnum() for ch in m.group())]
        core = sentence
        for m in reversed(asides):
            core = core[: m.start()] + " " * (m.end() - m.start()) + core[m.end() :]
        if any(ch.isalnum() for ch in core):
            out.append(Unit((s, e), " ".join(core.split())))
        for m in asides:
            out.append(Unit((s + m.start(), s + m.end()), m.group(), aside=True))
    out.sort(key=lambda u: u.span)
    return tuple(out)


def words(text: str) -> list[str]:
    return _WORD.findall(text)
