"""Coaching feedback from a scored transcript: what went well, the one change worth most, and a
better way to say the weakest answer. Lines come from `prompts/coaching.yaml`."""

from __future__ import annotations

from typing import Any

from agent.analysis import Reading
from agent.models import Feedback, Rewrite, Scorecard, Transcript
from agent.plan import context_values
from agent.prompts import fill, load_data


def _topic_label(topic: str) -> str:
    topics: dict[str, Any] = load_data("plan")["topics"]
    return str(topics.get(topic, {}).get("label", topic)).lower()


def _weakest(reading: Reading, card: Scorecard) -> tuple[int, str] | None:
    """The candidate turn most worth rewriting, and why."""
    order = ["told_how_to_run_business", "criticized_product", "closed_too_soon"]
    for kind in order:
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
    if card.criteria.asked_for_job.outcome == "not_asked":
        return candidate[-1], "not_asked"
    answers = [i for i in candidate if not reading.in_closing(i)] or candidate  # answers, not closing questions
    shortest = min(answers, key=lambda i: reading.signals[i].words)
    return shortest, "thin"


def feedback(transcript: Transcript, reading: Reading, card: Scorecard) -> Feedback:
    lines = load_data("coaching")
    values = context_values(transcript.context)
    crit = card.criteria

    def say(template: str, **extra: str) -> str:
        return fill(template, {**values, **extra}, source="coaching.yaml")

    strengths = []
    if crit.humility.score >= 4:
        strengths.append(say(lines["strengths"]["humility"]))
    if any(reading.signals[i].permission for i in reading.candidate_turns()) and not card.deal_breakers:
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
        first = next(k for k in ("told_how_to_run_business", "criticized_product", "closed_too_soon") if k in kinds)
        top = say(changes[first])
    elif crit.asked_for_job.outcome == "not_asked":
        top = say(changes["not_asked"])
    elif crit.curiosity.score <= 3:
        top = say(changes["curiosity"])
    elif crit.humility.score <= 3:
        top = say(changes["humility"])
    elif weak_topics:
        top = say(changes["risk"], topic=_topic_label(weak_topics[0]))
    else:
        top = say(changes["polish"])

    rewrite = None
    weakest = _weakest(reading, card)
    if weakest:
        turn, reason = weakest
        rewrite = Rewrite(turn=turn, better=say(lines["rewrites"][reason]))
    return Feedback(strengths=strengths, top_change=top, rewrite=rewrite)
