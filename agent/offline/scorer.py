"""The offline scorer: RUBRIC.md's anchors applied to what the listener read in the transcript.

Deterministic, no network, and the baseline every LLM judge is compared against. It reads no text itself:
every signal, question, ask and answer verdict comes from `agent.listening`, and every quote is a span of a
candidate turn, so evidence is verbatim by construction.
"""

from __future__ import annotations

import re

from agent.listening import Reading, listen_transcript
from agent.listening.sentences import Span
from agent.models import (
    AskedForJob,
    Criteria,
    Criterion,
    DealBreaker,
    Evidence,
    RiskTopic,
    Scorecard,
    Transcript,
)
from agent.offline import coaching

ENGINE_NAME = "offline"
MAX_EVIDENCE = 3
_HUMBLE = {
    "credit": "credits others",
    "learning": "is open about what they would need to learn",
    "permission": "asks permission before offering ideas",
}
# How the reading becomes a humility score (tuned on the training and dev transcripts, never the test split):
# a self-aggrandizing or dismissive remark counts when the listener is at least this sure of it, one sign of
# humility makes a 4 and three distinct signs a 5. Re-tuned with the heads of 76 writers on 625 dev transcripts of
# 22 groups: posture at 0.7 (0.6 and 0.8 no better); one sign for a 4, not two (humility exact 0.723 -> 0.739, QWK
# 0.877 -> 0.882, better for 14 groups and worse for 6); three for a 5 (two: exact 0.688; four: QWK 0.873).
POSTURE_FLOOR = 0.7
HUMBLE_FOR_FIVE = 3
SPECIFIC_FOR_FIVE = 2  # "several" specific questions; three fitted some writers and not others (dev, both ways;
# on 625: exact 0.787 -> 0.803, QWK 0.909 either way, 10 groups better and 10 worse)
_VERDICTS = {"answered": "addressed", "thin": "weak", "dodged": "evaded"}
_RANK = {"evaded": 0, "weak": 1, "addressed": 2}
_NORMAL = re.compile(r"[^a-z0-9]+")


def _evidence(reading: Reading, hits: list[tuple[int, Span]]) -> list[Evidence]:
    out: list[Evidence] = []
    for turn, span in hits:
        ev = Evidence(turn=turn, quote=reading.quote(turn, span))
        if all((e.turn, e.quote) != (ev.turn, ev.quote) for e in out):
            out.append(ev)
        if len(out) == MAX_EVIDENCE:
            break
    return out


def _distinct(reading: Reading, hits: list[tuple[int, Span]]) -> list[tuple[int, Span]]:
    """The same words pasted into several answers count once."""
    seen: set[str] = set()
    out = []
    for turn, span in hits:
        key = _NORMAL.sub(" ", reading.quote(turn, span).lower()).strip()
        if key not in seen:
            seen.add(key)
            out.append((turn, span))
    return out


def score_humility(reading: Reading) -> Criterion:
    fatal = [d for d in reading.deal_breakers if d.kind != "closed_too_soon"]
    if fatal:
        kinds = sorted({d.kind.replace("_", " ") for d in fatal})
        return Criterion(
            score=1,
            rationale=f"Deal-breaker: the candidate {' and '.join(kinds)} without being asked or asking permission.",
            evidence=_evidence(reading, [(d.turn, d.span) for d in fatal]),
        )
    posture = _distinct(
        reading, reading.signals("self_promotion", POSTURE_FLOOR) + reading.signals("belittles", POSTURE_FLOOR)
    )
    positives = {kind: _distinct(reading, reading.signals(kind)) for kind in _HUMBLE}
    kinds = [k for k, v in positives.items() if v]
    count = sum(len(v) for v in positives.values())
    positive_hits = [h for v in positives.values() for h in v]
    if posture:
        if len(posture) >= 2 or count < 2:
            return Criterion(
                score=2,
                rationale=f"Expert posture: {len(posture)} self-aggrandizing or dismissive remark(s) outweigh "
                f"{count} sign(s) of openness or credit-sharing.",
                evidence=_evidence(reading, posture),
            )
        return Criterion(
            score=3,
            rationale="Mixed: credits others and shows openness, but also talks themselves up.",
            evidence=_evidence(reading, posture[:1] + positive_hits),
        )
    if count >= HUMBLE_FOR_FIVE:
        return Criterion(
            score=5,
            rationale="Follows the interviewer's lead and stays humble: " + ", ".join(_HUMBLE[k] for k in kinds) + ".",
            evidence=_evidence(reading, positive_hits),
        )
    if count:  # "some credit-sharing or openness to learning": one sign is some (dev humility QWK 0.877 -> 0.882)
        return Criterion(
            score=4,
            rationale="Confident but respectful, with some credit-sharing or openness to learning ("
            + ", ".join(_HUMBLE[k] for k in kinds) + ") and no lecturing.",
            evidence=_evidence(reading, positive_hits),
        )
    return Criterion(
        score=3,
        rationale="Neutral: presents competently, neither disrespectful nor visibly humble; no credit-sharing "
        "or admission of what they'd need to learn was heard.",
        evidence=[],
    )


def score_curiosity(reading: Reading) -> Criterion:
    by_kind: dict[str, list[tuple[int, Span]]] = {}
    for q in reading.questions:
        by_kind.setdefault(q.kind, []).append((q.turn, q.span))
    specific, generic, pay = by_kind.get("specific", []), by_kind.get("generic", []), by_kind.get("pay", [])
    if len(specific) >= SPECIFIC_FOR_FIVE:
        return Criterion(
            score=5,
            rationale=f"Asked {len(specific)} specific questions about the company, its market or the interviewer's "
            "own view.",
            evidence=_evidence(reading, specific),
        )
    if specific:
        return Criterion(
            score=4,
            rationale="Asked one specific, researched question or built on what the interviewer said.",
            evidence=_evidence(reading, specific + generic),
        )
    if len(generic) >= 2 or (generic and pay):
        return Criterion(
            score=3,
            rationale=f"Asked only generic questions ({len(generic)}), nothing specific to this company or its market.",
            evidence=_evidence(reading, generic + pay),
        )
    if generic or pay:
        what = "questions about their own pay, perks or title" if pay and not generic else "one perfunctory question"
        return Criterion(score=2, rationale=f"Curiosity limited to {what}.", evidence=_evidence(reading, generic + pay))
    return Criterion(score=1, rationale="Asked no questions about the company or the interviewer.", evidence=[])


def score_asked_for_job(reading: Reading, complete: bool | None = None) -> AskedForJob:
    pushes = [d for d in reading.deal_breakers if d.kind == "closed_too_soon"]
    if pushes:
        return AskedForJob(
            outcome="premature",
            score=1,
            rationale="Pushed for an offer, a decision, pay or a start date before trust was built.",
            evidence=_evidence(reading, [(d.turn, d.span) for d in pushes]),
        )
    if reading.asks:
        best = max(reading.asks, key=lambda a: (a.strength, -a.turn))
        how = "explicitly" if best.strength == 5 else "tentatively"
        return AskedForJob(
            outcome="asked",
            score=best.strength,
            rationale=f"At the close the candidate {how} asked for the job or the next step.",
            evidence=_evidence(reading, [(best.turn, best.span)]),
        )
    if complete is False:
        return AskedForJob(
            outcome="not_asked",
            score=1,
            rationale="Close not reached: the interview ended before the point where an ask belongs.",
            evidence=[],
        )
    interest = reading.signals("interest")
    if interest:
        return AskedForJob(
            outcome="not_asked",
            score=2,
            rationale="Showed interest but never asked for the job or the next step.",
            evidence=_evidence(reading, interest[-1:]),
        )
    return AskedForJob(
        outcome="not_asked", score=1, rationale="Neither asked for the job nor showed interest in it.", evidence=[]
    )


def answer_verdict(reading: Reading, turn: int) -> str:
    """How one answer met its question's worry: the listener's relation, capped by a deal-breaker in it."""
    t = reading.turns[turn]
    verdict = _VERDICTS.get(t.relation or "", "weak")
    if verdict == "addressed" and any(d.turn == turn and d.kind != "closed_too_soon" for d in reading.deal_breakers):
        return "weak"
    return verdict


def _answer_quote(reading: Reading, turn: int, verdict: str) -> Span | None:
    """The dodge itself for an evaded answer; else the answer's fullest sentence."""
    sentences = [u.span for u in reading.turns[turn].units if not u.unit.aside]
    if not sentences:
        return None
    if verdict == "evaded":
        return sentences[0]
    return max(sentences, key=lambda sp: sp[1] - sp[0])


def score_risk_topics(reading: Reading) -> list[RiskTopic]:
    out = []
    for topic, turns in reading.topic_answers().items():
        if not turns:
            out.append(RiskTopic(topic=topic, verdict="evaded", evidence=[]))  # type: ignore[arg-type]
            continue
        verdict, turn = max(((answer_verdict(reading, t), t) for t in turns), key=lambda v: _RANK[v[0]])
        span = _answer_quote(reading, turn, verdict)
        evidence = [Evidence(turn=turn, quote=reading.quote(turn, span))] if span else []
        out.append(RiskTopic(topic=topic, verdict=verdict, evidence=evidence))  # type: ignore[arg-type]
    return out


def completeness(transcript: Transcript) -> bool | None:
    """False when the product's own move tags show the interview ended before its closing phase."""
    moves = [t.move for t in transcript.turns if t.speaker == "interviewer" and getattr(t, "move", None)]
    if not moves:
        return None  # a transcript from elsewhere: no way to know, so no claim
    return any(m in ("invite_questions", "close") for m in moves)


def score_reading(transcript: Transcript, reading: Reading) -> Scorecard:
    complete = completeness(transcript)
    criteria = Criteria(
        humility=score_humility(reading),
        curiosity=score_curiosity(reading),
        asked_for_job=score_asked_for_job(reading, complete),
    )
    deal_breakers = [
        DealBreaker(kind=d.kind, turn=d.turn, quote=reading.quote(d.turn, d.span))  # type: ignore[arg-type]
        for d in reading.deal_breakers
    ]
    card = Scorecard(
        engine=ENGINE_NAME, criteria=criteria, deal_breakers=deal_breakers, risk_topics=score_risk_topics(reading)
    )
    if complete is False:
        card.complete = False
    card.feedback = coaching.feedback(transcript, reading, card)
    ignored = sorted({turn for turn, _ in reading.grader})
    if ignored:
        turns = ", ".join(map(str, ignored))
        card.notes = [f"Text addressed to a grader in turn(s) {turns} was treated as data and ignored."]  # type: ignore[attr-defined]
    return card


def score(transcript: Transcript) -> Scorecard:
    return score_reading(transcript, listen_transcript(transcript))
