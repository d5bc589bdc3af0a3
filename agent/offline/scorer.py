"""The rule-based scorer: RUBRIC.md's anchors applied to what `analysis` reads in the transcript.

Deterministic, no network, and the baseline every LLM judge is compared against. Every quote is
a slice of a candidate turn, so evidence is verbatim by construction.
"""

from __future__ import annotations

from agent import analysis
from agent.analysis import Reading
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
from agent.signals import Span

ENGINE_NAME = "offline"
MAX_EVIDENCE = 3
_HUMBLE = {
    "credit": "credits others",
    "learning": "admits what they would need to learn",
    "deference": "defers to the interviewer",
    "permission": "asks permission before offering ideas",
}


def _evidence(reading: Reading, hits: list[tuple[int, Span]]) -> list[Evidence]:
    seen: set[tuple[int, Span]] = set()
    out = []
    for turn, span in hits:
        if (turn, span) in seen:
            continue
        seen.add((turn, span))
        out.append(Evidence(turn=turn, quote=reading.quote(turn, span)))
        if len(out) == MAX_EVIDENCE:
            break
    return out


def _spans(reading: Reading, attr: str) -> list[tuple[int, Span]]:
    return [(i, span) for i in reading.candidate_turns() for span in getattr(reading.signals[i], attr)]


def score_humility(reading: Reading) -> Criterion:
    fatal = [d for d in reading.deal_breakers if d.kind != "closed_too_soon"]
    if fatal:
        kinds = sorted({d.kind.replace("_", " ") for d in fatal})
        return Criterion(
            score=1,
            rationale=f"Deal-breaker: the candidate {' and '.join(kinds)} without being asked or asking permission.",
            evidence=_evidence(reading, [(d.turn, d.span) for d in fatal]),
        )
    boasts = _spans(reading, "boast")
    permission = _spans(reading, "permission")
    positives = {
        "credit": _spans(reading, "credit"),
        "learning": _spans(reading, "learning"),
        "deference": _spans(reading, "deference"),
        "permission": permission,
    }
    kinds = [k for k, v in positives.items() if v]
    count = sum(len(v) for v in positives.values())
    positive_hits = [h for v in positives.values() for h in v]
    if boasts:
        if len(boasts) >= 2 or count < 3:
            return Criterion(
                score=2,
                rationale=(
                    f"Expert posture: {len(boasts)} self-aggrandizing or dismissive remark(s) "
                    f"outweigh {count} sign(s) of openness or credit-sharing."
                ),
                evidence=_evidence(reading, boasts),
            )
        return Criterion(
            score=3,
            rationale="Mixed: credits others and shows openness, but also talks itself up.",
            evidence=_evidence(reading, boasts[:1] + positive_hits),
        )
    learning = len(positives["learning"])
    if count >= 3 or (count == 2 and (learning == 2 or permission)):
        return Criterion(
            score=5,
            rationale="Follows the interviewer's lead and stays humble: " + ", ".join(_HUMBLE[k] for k in kinds) + ".",
            evidence=_evidence(reading, positive_hits),
        )
    if count >= 1:
        return Criterion(
            score=4,
            rationale="Confident but respectful, with some credit-sharing or openness to learning and no lecturing.",
            evidence=_evidence(reading, positive_hits),
        )
    return Criterion(
        score=3,
        rationale="Neutral: presents competently, neither disrespectful nor visibly humble; no credit-sharing "
        "or admission of what they'd need to learn was found.",
        evidence=[],
    )


def score_curiosity(reading: Reading) -> Criterion:
    by_kind: dict[str, list[tuple[int, Span]]] = {}
    for turn, span, kind in reading.question_kinds:
        by_kind.setdefault(kind, []).append((turn, span))
    specific = by_kind.get("specific", [])
    generic = by_kind.get("generic", [])
    self_focus = by_kind.get("self", []) + by_kind.get("push", [])
    if len(specific) >= 2:
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
    if len(generic) >= 2 or (generic and self_focus):
        return Criterion(
            score=3,
            rationale=f"Asked only generic questions ({len(generic)}), nothing specific to this company or its market.",
            evidence=_evidence(reading, generic + self_focus),
        )
    if generic or self_focus:
        what = "about their own pay, perks or title" if self_focus else "one perfunctory question"
        return Criterion(
            score=2,
            rationale=f"Curiosity limited to {what}.",
            evidence=_evidence(reading, generic + self_focus),
        )
    return Criterion(score=1, rationale="Asked no questions about the company or the interviewer.", evidence=[])


def score_asked_for_job(reading: Reading) -> AskedForJob:
    pushes = [d for d in reading.deal_breakers if d.kind == "closed_too_soon"]
    if pushes:
        return AskedForJob(
            outcome="premature",
            score=1,
            rationale="Pushed for an offer, a decision, pay or a start date before trust was built.",
            evidence=_evidence(reading, [(d.turn, d.span) for d in pushes]),
        )
    ask = analysis.ask_strength(reading)
    if ask:
        turn, span, score = ask
        how = "explicitly" if score == 5 else "tentatively"
        return AskedForJob(
            outcome="asked",
            score=score,
            rationale=f"At the close the candidate {how} asked for the job or the next step.",
            evidence=_evidence(reading, [(turn, span)]),
        )
    interest = _spans(reading, "interest")
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


def _answers_by_topic(reading: Reading) -> dict[str, list[int]]:
    """Candidate turns answering each raised topic (the next candidate turn after each interviewer turn)."""
    answers: dict[str, list[int]] = {}
    for i, topic in sorted(reading.topics.items()):
        if reading.in_closing(i):
            continue
        nxt = i + 1
        if nxt < len(reading.speakers) and reading.speakers[nxt] == "candidate":
            answers.setdefault(topic, []).append(nxt)
        else:
            answers.setdefault(topic, [])
    return answers


def answer_verdict(reading: Reading, turn: int) -> str:
    sig = reading.signals[turn]
    if sig.words < 6 or (sig.evasive and sig.words < 40):
        return "evaded"
    if any(d.turn == turn and d.kind != "closed_too_soon" for d in reading.deal_breakers):
        return "weak"
    if sig.words < 12 or (sig.words < 30 and sig.concrete == 0) or sig.evasive:
        return "weak"
    return "addressed"


_RANK = {"evaded": 0, "weak": 1, "addressed": 2}


def _best_sentence(reading: Reading, turn: int) -> Span | None:
    from agent.signals import CONCRETE, sentence_spans

    text = reading.texts[turn]
    spans = sentence_spans(text)
    if not spans:
        return None
    concrete = [sp for sp in spans if CONCRETE.search(text, sp[0], sp[1])]
    return max(concrete or spans, key=lambda sp: sp[1] - sp[0])


def score_risk_topics(reading: Reading) -> list[RiskTopic]:
    out = []
    for topic, turns in _answers_by_topic(reading).items():
        if not turns:
            out.append(RiskTopic(topic=topic, verdict="evaded", evidence=[]))  # type: ignore[arg-type]
            continue
        verdicts = [(answer_verdict(reading, t), t) for t in turns]
        verdict, turn = max(verdicts, key=lambda v: _RANK[v[0]])
        span = _best_sentence(reading, turn)
        evidence = [Evidence(turn=turn, quote=reading.quote(turn, span))] if span else []
        out.append(RiskTopic(topic=topic, verdict=verdict, evidence=evidence))  # type: ignore[arg-type]
    return out


def score(transcript: Transcript) -> Scorecard:
    context = transcript.context
    tags = {i: t.model_extra["topic"] for i, t in enumerate(transcript.turns)
            if t.model_extra and isinstance(t.model_extra.get("topic"), str)}
    reading = analysis.read(
        [(t.speaker, t.text) for t in transcript.turns],
        company=context.company if context else None,
        topic_tags=tags,
    )
    criteria = Criteria(
        humility=score_humility(reading),
        curiosity=score_curiosity(reading),
        asked_for_job=score_asked_for_job(reading),
    )
    deal_breakers = [
        DealBreaker(kind=d.kind, turn=d.turn, quote=reading.quote(d.turn, d.span))  # type: ignore[arg-type]
        for d in reading.deal_breakers
    ]
    card = Scorecard(
        engine=ENGINE_NAME, criteria=criteria, deal_breakers=deal_breakers, risk_topics=score_risk_topics(reading)
    )
    card.feedback = coaching.feedback(transcript, reading, card)
    ignored = sorted({i for i in reading.candidate_turns() if reading.signals[i].injection})
    if ignored:
        turns = ", ".join(map(str, ignored))
        card.notes = [f"Text addressed to a grader in turn(s) {turns} was treated as data and ignored."]  # type: ignore[attr-defined]
    return card
