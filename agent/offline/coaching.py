"""Coaching feedback from a scored transcript: what went well, the one change worth most, and a better way
to say the weakest answer. Lines come from `prompts/coaching.yaml`.

A rewrite reshapes the candidate's own answer — their facts, names and numbers stay, the sentence that hurt
is reframed — and says so (`kind: reshaped`). When an answer gave too little to reshape, the offline engine
can't invent the candidate's story, so it says what a stronger answer would contain (`kind: outline`).
"""

from __future__ import annotations

from typing import Any

from agent.listening import Reading
from agent.listening.sentences import sentence_spans
from agent.models import Feedback, Rewrite, Scorecard, Transcript
from agent.plan import context_values
from agent.prompts import fill, load_data

_HURTFUL = frozenset({"directs", "criticizes", "push", "pressure", "self_promotion", "belittles", "grader"})
_DEAL_BREAKER_ORDER = ("told_how_to_run_business", "criticized_product", "closed_too_soon")


def _topic_label(topic: str) -> str:
    topics: dict[str, Any] = load_data("plan")["topics"]
    return str(topics.get(topic, {}).get("label", topic)).lower()


def _weakest(reading: Reading, card: Scorecard) -> tuple[int, str] | None:
    """The candidate turn most worth rewriting, and why."""
    for kind in _DEAL_BREAKER_ORDER:
        for d in card.deal_breakers:
            if d.kind == kind:
                return d.turn, kind
    for verdict in ("evaded", "weak"):
        for topic in card.risk_topics:
            if topic.verdict == verdict and topic.evidence:
                return topic.evidence[0].turn, verdict
    candidate = reading.candidate_turns()
    if not candidate:
        return None
    if card.criteria.asked_for_job.outcome == "not_asked" and card.complete is not False:
        return candidate[-1], "not_asked"
    answers = [i for i in candidate if not reading.in_closing(i)] or candidate
    return min(answers, key=lambda i: reading.turns[i].words), "thin"


def _question_asked(reading: Reading, turn: int) -> str:
    asked = reading.answered_question(turn)
    if asked is None:
        return "that question"
    text = reading.turns[asked].text
    spans = sentence_spans(text)
    questions = [text[s:e] for s, e in spans if text[s:e].rstrip().endswith("?")]
    return questions[-1] if questions else (text[spans[-1][0] : spans[-1][1]] if spans else text)


def _rewrite(reading: Reading, transcript: Transcript, turn: int, reason: str, say: Any) -> Rewrite:
    lines = load_data("coaching")
    t = reading.turns[turn]
    sentences = [u for u in t.units if not u.unit.aside]
    hurtful = [u for u in sentences if _HURTFUL & set(u.labels)]
    kept = " ".join(t.text[u.span[0] : u.span[1]] for u in sentences if u not in hurtful)
    kept = f"{kept} " if kept else ""
    if reason in ("told_how_to_run_business", "criticized_product", "closed_too_soon", "not_asked"):
        label = {"told_how_to_run_business": "directs", "criticized_product": "criticizes"}.get(reason)
        quoted = next((u for u in hurtful if label and u.has(label)), hurtful[0] if hurtful else None)
        quote = t.text[quoted.span[0] : quoted.span[1]] if quoted else ""
        better = say(lines["rewrites"][reason], kept=kept, quote=quote)
        return Rewrite(turn=turn, better=" ".join(better.split()), kind="reshaped")  # type: ignore[call-arg]
    job = (transcript.context.job_description if transcript.context else None) or ""
    duties = sentence_spans(job)
    duty = say(lines["outlines"]["duty"], duty_text=job[duties[0][0] : duties[0][1]]) if duties else ""
    longest = max(sentences, key=lambda u: u.span[1] - u.span[0], default=None)
    said = f' ("{t.text[longest.span[0] : longest.span[1]]}")' if longest and reason != "evaded" else ""
    better = say(lines["outlines"][reason], question=_question_asked(reading, turn), said=said, duty=duty)
    return Rewrite(turn=turn, better=better, kind="outline")  # type: ignore[call-arg]


def feedback(transcript: Transcript, reading: Reading, card: Scorecard) -> Feedback:
    lines = load_data("coaching")
    values = context_values(transcript.context)
    crit = card.criteria

    def say(template: str, **extra: str) -> str:
        return fill(template, {**values, **extra}, source="coaching.yaml")

    strengths = []
    if crit.humility.score >= 4:
        strengths.append(say(lines["strengths"]["humility"]))
    if reading.signals("permission") and not card.deal_breakers:
        strengths.append(say(lines["strengths"]["permission"]))
    if crit.curiosity.score >= 4:
        strengths.append(say(lines["strengths"]["curiosity"]))
    if crit.asked_for_job.outcome == "asked":
        strengths.append(say(lines["strengths"]["asked"]))
    addressed = [t.topic for t in card.risk_topics if t.verdict == "addressed"]
    if addressed:
        strengths.append(say(lines["strengths"]["topic"], topic=_topic_label(addressed[0])))
    if not strengths:
        strengths.append(say(lines["strengths"]["fallback"]))

    changes = lines["top_change"]
    kinds = {d.kind for d in card.deal_breakers}
    weak_topics = [t.topic for t in card.risk_topics if t.verdict != "addressed"]
    if kinds:
        top = say(changes[next(k for k in _DEAL_BREAKER_ORDER if k in kinds)])
    elif crit.asked_for_job.outcome == "not_asked" and card.complete is not False:
        top = say(changes["not_asked"])
    elif crit.curiosity.score <= 3:
        top = say(changes["curiosity"])
    elif crit.humility.score <= 3:
        top = say(changes["humility"])
    elif weak_topics:
        top = say(changes["risk"], topic=_topic_label(weak_topics[0]))
    else:
        top = say(changes["polish"])

    weakest = _weakest(reading, card)
    rewrite = _rewrite(reading, transcript, *weakest, say) if weakest else None
    return Feedback(strengths=strengths, top_change=top, rewrite=rewrite)
