"""Reading a whole transcript: which phase each turn is in, what the interviewer raised, and the
deal-breakers, with the context a single turn can't see (was the critique invited? was permission
asked and given? was the push for an offer before the close?).

The session reads the live transcript through this to decide on follow-ups; the offline scorer
reads the finished one. Plain Python, no engine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from agent import signals
from agent._rules import PatternSet
from agent.prompts import load_data
from agent.signals import Span, TurnSignals

_TIME_PRESSURE = re.compile(
    r"\b(today|right now|now|tonight|this week|immediately|right away|by (friday|monday))\b", re.I
)
_WORD = re.compile(r"[a-z][a-z'-]{5,}", re.I)
_STOP = frozenset(  # words too common to show that a question builds on what the interviewer said
    [
        "about", "would", "could", "should", "there", "their", "these", "those", "which", "where", "while",
        "really", "things", "people", "before", "having", "being", "going", "doing", "think", "thinks",
        "thought", "company", "business", "question", "questions", "always", "little", "important", "something",
        "someone", "everything", "anything", "because", "another", "through",
    ]
)


@dataclass(frozen=True)
class DealBreakerHit:
    kind: str
    turn: int
    span: Span


@dataclass
class Reading:
    """What the rules found in a transcript, turn indexes into its turns."""

    speakers: list[str]
    texts: list[str]
    signals: dict[int, TurnSignals]
    closing_start: int
    topics: dict[int, str] = field(default_factory=dict)
    deal_breakers: list[DealBreakerHit] = field(default_factory=list)
    permitted: list[tuple[int, Span]] = field(default_factory=list)  # critiques made with permission or on request
    question_kinds: list[tuple[int, Span, str]] = field(default_factory=list)

    def candidate_turns(self) -> list[int]:
        return [i for i, s in enumerate(self.speakers) if s == "candidate"]

    def in_closing(self, turn: int) -> bool:
        return turn >= self.closing_start

    def quote(self, turn: int, span: Span) -> str:
        return self.texts[turn][span[0] : span[1]]


@lru_cache(maxsize=1)
def _topic_keywords() -> tuple[PatternSet, tuple[str, ...]]:
    """Every topic's keywords from the plan, in one set; and which topic each keyword belongs to."""
    topics = load_data("plan")["topics"]
    owners = tuple(name for name, spec in topics.items() for _ in spec.get("detect", []))
    patterns = [p for spec in topics.values() for p in spec.get("detect", [])]
    return PatternSet(patterns), owners


def detect_topic(interviewer_text: str) -> str | None:
    """The plan topic an interviewer turn raises, by the plan's own keyword lists (most distinct hits wins;
    a tie goes to the topic listed first)."""
    keywords, owners = _topic_keywords()
    counts: dict[str, int] = {}
    for index in keywords.matched(interviewer_text):
        counts[owners[index]] = counts.get(owners[index], 0) + 1
    if not counts:
        return None
    order = {name: i for i, name in enumerate(dict.fromkeys(owners))}
    return max(counts, key=lambda t: (counts[t], -order[t]))


def _closing_start(speakers: Sequence[str], texts: Sequence[str]) -> int:
    for i, (speaker, text) in enumerate(zip(speakers, texts, strict=True)):
        if speaker == "interviewer" and i > 0 and signals.is_invitation(text):
            return i
    candidates = [i for i, s in enumerate(speakers) if s == "candidate"]
    if len(candidates) >= 3:
        return candidates[-2]
    return candidates[-1] if candidates else len(speakers)


def _content_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)} - _STOP


def read(
    turns: Sequence[tuple[str, str]],
    *,
    company: str | None = None,
    closing_start: int | None = None,
    topic_tags: dict[int, str] | None = None,
) -> Reading:
    """Read (speaker, text) pairs. `closing_start` overrides the guess when the session knows the stage."""
    speakers = [s for s, _ in turns]
    texts = [t for _, t in turns]
    start = _closing_start(speakers, texts) if closing_start is None else closing_start
    reading = Reading(speakers=speakers, texts=texts, signals={}, closing_start=start)
    company_rx = re.compile(re.escape(company), re.I) if company and company.strip() else None

    interviewer_words: set[str] = set()
    permission_open = False  # the candidate asked, and the interviewer did not decline
    last_topic: str | None = None
    for i, (speaker, text) in enumerate(turns):
        if speaker == "interviewer":
            tag = (topic_tags or {}).get(i)
            invitation = signals.is_invitation(text)
            topic = tag if tag else (None if invitation else detect_topic(text))
            if not topic and not invitation and i < start:
                topic = last_topic  # a follow-up with no keywords of its own stays on the topic it follows
            if topic:
                reading.topics[i] = topic
                last_topic = topic
            if permission_open and not signals.grants_permission(text):
                permission_open = False
            interviewer_words |= _content_words(text)
            continue

        sig = signals.analyse(text)
        reading.signals[i] = sig
        prev = texts[i - 1] if i > 0 and speakers[i - 1] == "interviewer" else ""
        invited = signals.invites_critique(prev)
        first_permission = min((s for s, _ in sig.permission), default=None)
        excused = invited or permission_open  # invited by the question, or permission asked and given

        for kind, spans in (("told_how_to_run_business", sig.told_how), ("criticized_product", sig.criticized)):
            for span in spans:
                if excused or (first_permission is not None and first_permission <= span[0]):
                    reading.permitted.append((i, span))
                else:
                    reading.deal_breakers.append(DealBreakerHit(kind, i, span))
                    break

        pushes = list(sig.pressure)
        if i < start:
            pushes += sig.offer_push + sig.pay + sig.ask_strong
        else:
            pushes += [sp for sp in sig.offer_push if _TIME_PRESSURE.search(text, sp[0], sp[1])]
        if pushes:
            reading.deal_breakers.append(DealBreakerHit("closed_too_soon", i, min(pushes)))

        for span, kind in sig.questions:
            if kind == "generic" and (
                (company_rx and company_rx.search(text, span[0], span[1]))
                or len(_content_words(text[span[0] : span[1]]) & interviewer_words) >= 2
            ):
                kind = "specific"
            reading.question_kinds.append((i, span, kind))
        permission_open = bool(sig.permission)
    return reading


def ask_strength(reading: Reading) -> tuple[int, Span, int] | None:
    """The candidate's best ask for the job in the closing phase: (turn, span, score 5 or 4)."""
    best: tuple[int, Span, int] | None = None
    for i in reading.candidate_turns():
        if not reading.in_closing(i):
            continue
        sig = reading.signals[i]
        sentences = signals.sentence_spans(sig.text)
        buried = len(sentences) >= 6
        for span in sig.ask_strong:
            tail = sentences[-2:] if buried else sentences
            score = 4 if buried and span not in tail else 5
            if best is None or score > best[2]:
                best = (i, span, score)
        for span in sig.ask_tentative:
            if best is None:
                best = (i, span, 4)
    return best
