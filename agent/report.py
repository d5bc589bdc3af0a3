"""A scorecard as a readable report (Markdown): the terminal, the browser and the download share it."""

from __future__ import annotations

from agent.models import Criterion, Evidence, Scorecard, Transcript

_LABELS = {"humility": "Humility", "curiosity": "Curiosity", "asked_for_job": "Asked for the job"}
_OUTCOMES = {"asked": "asked", "not_asked": "did not ask", "premature": "pushed too soon"}
_KINDS = {
    "told_how_to_run_business": "Told the interviewer how to run the business",
    "criticized_product": "Criticised the product unasked",
    "closed_too_soon": "Pushed to close too soon",
}


def fallback_note(crit: Criterion, engine: str) -> str | None:
    """Said beside a score that the card's engine did not produce (the model's answer was unusable and
    the offline scorer's value stands in); None for a score the card's engine gave itself."""
    if not crit.scored_by or crit.scored_by == engine:
        return None
    who = "offline" if crit.scored_by == "offline" else f"by {crit.scored_by}"
    return f"scored {who}: model answer unusable"


def _bar(score: int) -> str:
    return "●" * score + "○" * (5 - score)


def _quotes(evidence: list[Evidence], limit: int = 2) -> list[str]:
    out = []
    for ev in evidence[:limit]:
        quote = ev.quote if len(ev.quote) <= 220 else ev.quote[:217] + "..."
        out.append(f"    > \u201c{quote}\u201d (turn {ev.turn})")
    return out


def render_markdown(card: Scorecard, transcript: Transcript | None = None) -> str:
    lines = ["## Your scorecard", ""]
    if transcript and transcript.context and transcript.context.company:
        ctx = transcript.context
        who = transcript.persona.replace("_", " ")
        lines += [f"*{ctx.role or 'Executive role'} at {ctx.company}; interviewer: {who}*", ""]
    criteria: dict[str, Criterion] = {
        "humility": card.criteria.humility,
        "curiosity": card.criteria.curiosity,
        "asked_for_job": card.criteria.asked_for_job,
    }
    for key, crit in criteria.items():
        outcome = ""
        if key == "asked_for_job":
            outcome = f" ({_OUTCOMES[card.criteria.asked_for_job.outcome]})"
        note = fallback_note(crit, card.engine)
        marker = f" *({note})*" if note else ""
        lines.append(f"- **{_LABELS[key]}**: {crit.score}/5 {_bar(crit.score)}{outcome}{marker}")
        lines.append(f"    {crit.rationale}")
        lines += _quotes(crit.evidence)
    lines.append("")
    if card.deal_breakers:
        lines.append("### Deal-breakers")
        for d in card.deal_breakers:
            lines.append(f"- {_KINDS[d.kind]} (turn {d.turn}): \u201c{d.quote}\u201d")
        lines.append("")
    if card.risk_topics:
        lines.append("### The interviewer's worries")
        for t in card.risk_topics:
            lines.append(f"- {t.topic.replace('_', ' ')}: **{t.verdict}**")
        lines.append("")
    fb = card.feedback
    if fb:
        lines.append("### Coaching")
        for s in fb.strengths:
            lines.append(f"- What went well: {s}")
        if fb.top_change:
            lines.append(f"- The one thing to change: {fb.top_change}")
        if fb.rewrite and fb.rewrite.better:
            lines.append(f"- A better way to say turn {fb.rewrite.turn}: \u201c{fb.rewrite.better}\u201d")
        lines.append("")
    notes = (card.model_extra or {}).get("notes")
    if notes:
        lines += [f"*{n}*" for n in notes] + [""]
    lines.append(f"*Scored by the {card.engine} engine.*")
    return "\n".join(lines) + "\n"
