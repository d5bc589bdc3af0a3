"""Checking the judge's quotes against the transcript, because a model's quote can't be trusted.

Every quote in a scorecard must be a verbatim substring of the candidate turn it names. A quote
that isn't is repaired when the words are really there (another candidate turn, different case or
spacing, stray quotation marks or ellipses around it) and dropped otherwise; both are counted.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass

_STRIP = " \t\r\n\"'“”‘’`«»…."
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")
MIN_FRAGMENT = 12  # a fragment of an elided quote shorter than this is too weak to stand as evidence


@dataclass
class Tally:
    kept: int = 0
    repaired: int = 0
    dropped: int = 0


def _exact(text: str, quote: str) -> str | None:
    return quote if quote and quote in text else None


def _loose(text: str, quote: str) -> str | None:
    """The same words, ignoring case and runs of whitespace; returns the original slice."""
    words = quote.split()
    if not words:
        return None
    rx = re.compile(r"\s+".join(re.escape(w) for w in words), re.I)
    m = rx.search(text)
    return text[m.start() : m.end()] if m else None


def _variants(quote: str) -> list[str]:
    out = [quote, quote.strip(_STRIP), quote.strip()]
    if "\\" in quote:
        with contextlib.suppress(json.JSONDecodeError):  # the judge copied the JSON-escaped form of the data
            out.append(json.loads(f'"{quote}"'))
    return [v for i, v in enumerate(out) if v and v not in out[:i]]


def locate(quote: str, turn: int, candidate_texts: dict[int, str]) -> tuple[int, str] | None:
    """(turn, verbatim quote) for a quote the judge gave, or None when the words aren't there."""
    order = ([turn] if turn in candidate_texts else []) + [t for t in candidate_texts if t != turn]
    for variant in _variants(quote):
        for finder in (_exact, _loose):
            for t in order:
                found = finder(candidate_texts[t], variant)
                if found and found.strip():
                    return t, found
    # An elided quote ("I led ... the team"): keep its longest fragment that is really there.
    parts = sorted((p.strip(_STRIP) for p in _ELLIPSIS.split(quote)), key=len, reverse=True)
    if len(parts) > 1:
        for part in parts:
            if len(part) < MIN_FRAGMENT:
                break
            for t in order:
                found = _exact(candidate_texts[t], part) or _loose(candidate_texts[t], part)
                if found:
                    return t, found
    return None


def check(quote: str, turn: int, candidate_texts: dict[int, str], tally: Tally) -> tuple[int, str] | None:
    """`locate`, counting what was kept as is, repaired or dropped."""
    found = locate(quote, turn, candidate_texts)
    if found is None:
        tally.dropped += 1
    elif found == (turn, quote):
        tally.kept += 1
    else:
        tally.repaired += 1
    return found
