"""Matching large rule lists fast: one RE2 automaton per rule list.

Python's `re` tries every alternative of a big `a|b|c|...` pattern at every position, which made the
offline scorer far too slow for batch scoring. RE2 (google-re2) matches all alternatives in one linear
pass. The rules therefore stick to the syntax both engines share (no look-around, no back-references);
`re` remains the fallback where the google-re2 wheel is unavailable, with the same answers.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

try:
    import re2 as _re2
except ImportError:  # pragma: no cover - platforms without a wheel
    _re2 = None

Span = tuple[int, int]
# Room for RE2 to build its DFA for the big rule sets: with the 8 MiB default it falls back to a 3x slower path.
_MAX_MEM = 64 << 20


def _options() -> Any:
    options = _re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    options.max_mem = _MAX_MEM
    return options


def _compile(pattern: str) -> Any:
    if _re2 is not None:
        try:
            return _re2.compile(pattern, _options())
        except Exception:  # pragma: no cover - a rule outside RE2's syntax: keep it working with re
            pass
    return re.compile(pattern, re.IGNORECASE)


def _raw(compiled: Any) -> Any:
    """RE2's own matcher under the `re`-like wrapper: a byte-level call with no match objects built.
    The wrapper's per-call bookkeeping cost more than the matching; if it ever moves, we use the wrapper."""
    raw = getattr(compiled, "_regexp", None)
    anchor = getattr(getattr(_re2, "_Anchor", None), "UNANCHORED", None)
    return (raw, anchor) if raw is not None and anchor is not None and hasattr(raw, "Match") else None


class RuleSet:
    """A list of case-insensitive rules matched as one pattern."""

    def __init__(self, parts: Iterable[str]):
        self.parts = tuple(parts)
        self.pattern = "|".join(f"(?:{p})" for p in self.parts)
        self._compiled_cache: Any = None

    @property
    def _compiled(self) -> Any:
        """Compiled on first direct use: most rule lists are only ever matched through a PatternSet."""
        if self._compiled_cache is None:
            self._compiled_cache = _compile(self.pattern)
            self._fast = None if isinstance(self._compiled_cache, re.Pattern) else _raw(self._compiled_cache)
        return self._compiled_cache

    @property
    def engine(self) -> str:
        return "re" if isinstance(self._compiled, re.Pattern) else "re2"

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> bool:
        """Whether any rule matches text[pos:endpos]. A bool, not a match: callers only ask "is it there"."""
        piece = text if pos == 0 and endpos is None else text[pos:endpos]
        compiled = self._compiled
        if self._fast:
            raw, anchor = self._fast
            data = piece.encode()
            return raw.Match(anchor, data, 0, len(data))[0][0] != -1
        return compiled.search(piece) is not None

    def spans_hit(self, text: str, spans: list[Span]) -> list[Span]:
        """Which of the sorted, disjoint spans (sentences) hold a match.

        One search over the whole text finds the first hit; the next search starts at the following
        sentence. Most rule lists match nothing in a turn, so most turns cost one call per list.
        """
        if not spans:
            return []
        if self._compiled is not None and self._fast:
            return self._spans_hit_bytes(text, spans)
        search = self._compiled.search
        starts = [s for s, _ in spans]
        end = spans[-1][1]
        out: list[Span] = []
        i = 0
        while i < len(spans):
            found = search(text, spans[i][0], end)
            if found is None:
                break
            k = max(i, bisect_right(starts, found.start()) - 1)
            s, e = spans[k]
            if (s <= found.start() and found.end() <= e) or search(text[s:e]) is not None:
                out.append((s, e))
            i = k + 1
        return out

    def _spans_hit_bytes(self, text: str, spans: list[Span]) -> list[Span]:
        raw, anchor = self._fast  # type: ignore[misc]
        data = text.encode()
        if len(data) == len(text):
            bspans = spans
        else:  # non-ASCII: sentence bounds in bytes
            bspans = [(len(text[:s].encode()), len(text[:e].encode())) for s, e in spans]
        starts = [s for s, _ in bspans]
        end = bspans[-1][1]
        out: list[Span] = []
        i = 0
        while i < len(bspans):
            (ms, me) = raw.Match(anchor, data, bspans[i][0], end)[0]
            if ms == -1:
                break
            k = max(i, bisect_right(starts, ms) - 1)
            s, e = bspans[k]
            if (s <= ms and me <= e) or raw.Match(anchor, data, s, e)[0][0] != -1:
                out.append(spans[k])
            i = k + 1
        return out


class PatternSet:
    """Which of several patterns occur in a text, in one pass (RE2's Set); `re` one by one as a fallback."""

    def __init__(self, patterns: Iterable[str]):
        self.patterns = tuple(patterns)
        self._set = None
        if _re2 is not None:
            try:
                compiled = _re2.Set.SearchSet(_options())
                for p in self.patterns:
                    compiled.Add(p)
                compiled.Compile()
                self._set = compiled
            except Exception:  # pragma: no cover - outside RE2's syntax
                self._set = None
        self._fallback = [re.compile(p, re.IGNORECASE) for p in self.patterns] if self._set is None else []

    def matched(self, text: str) -> list[int]:
        """Indexes of the patterns found in text."""
        if self._set is not None:
            return sorted(self._set.Match(text) or ())
        return [i for i, p in enumerate(self._fallback) if p.search(text)]
