"""A scorecard as a report people keep: Markdown here (terminal fallback, download), HTML in
`agent.report_html`, rich text in `agent.terminal`. All three read the same `ReportData`, so every report
carries what the page shows: display names, the scores (or "close not reached" for an interview cut
short), evidence for each criterion and each worry, deal-breakers, coaching, the answer-by-answer review
and any practice redos."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from agent import review as rv
from agent.models import TOPICS, Criterion, Evidence, Rewrite, Scorecard, Transcript
from agent.plan import context_values, load_persona, load_plan
from agent.review import short

LABELS = {"humility": "Humility", "curiosity": "Curiosity", "asked_for_job": "Asked for the job"}
OUTCOMES = {"asked": "asked", "not_asked": "did not ask", "premature": "pushed too soon"}
CLOSE_NOT_REACHED = "close not reached"
KINDS = {
    "told_how_to_run_business": "Told the interviewer how to run the business",
    "criticized_product": "Criticised the product unasked",
    "closed_too_soon": "Pushed to close too soon",
}
INCOMPLETE_NOTE = (
    "Incomplete interview: it ended before the close, so asking for the job could not be judged "
    "(shown as “close not reached”), and it is kept apart from your progress."
)
# kept for callers of the earlier names
_LABELS, _OUTCOMES, _KINDS = LABELS, OUTCOMES, KINDS



def rewrite_heading(rewrite: Rewrite, where: str) -> str:
    """A reshaped answer is offered as a better way to say it; an outline as what a stronger one would hold."""
    if (rewrite.model_extra or {}).get("kind") == "outline":
        return f"What a stronger answer to {where} would contain"
    return f"A better way to say {where}"

def fallback_note(crit: Criterion, engine: str) -> str | None:
    """Said beside a score that the card's engine did not produce (the model's answer was unusable and
    the offline scorer's value stands in); None for a score the card's engine gave itself."""
    if not crit.scored_by or crit.scored_by == engine:
        return None
    who = "offline" if crit.scored_by == "offline" else f"by {crit.scored_by}"
    return f"scored {who}: model answer unusable"


def incomplete(card: Scorecard) -> bool:
    return card.complete is False


def ask_note(card: Scorecard) -> str:
    """What the page says beside the ask's score: the outcome, or that the close was never reached."""
    ask = card.criteria.asked_for_job
    if incomplete(card) and ask.outcome == "not_asked":
        return CLOSE_NOT_REACHED
    return OUTCOMES[ask.outcome]


def bar(score: int) -> str:
    return "●" * score + "○" * (5 - score)


def slug(text: str, limit: int = 40) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def file_stem(transcript: Transcript, when: date | datetime | None = None) -> str:
    """`interview-<company>-<role>-<date>`: what the downloads are called (unset parts are left out)."""
    ctx = transcript.context
    parts = ["interview"]
    for value in (ctx.company if ctx else None, ctx.role if ctx else None):
        s = slug(value or "")
        if s:
            parts.append(s)
    day = when.date() if isinstance(when, datetime) else when or date.today()
    parts.append(day.isoformat())
    return "-".join(parts)


@dataclass
class Worry:
    label: str
    worry: str
    verdict: str
    evidence: list[Evidence]


@dataclass
class ReportData:
    card: Scorecard
    transcript: Transcript | None
    persona: str  # "Dana Whitfield, CEO of ..." display name
    persona_label: str  # "The CEO"
    role: str
    company: str
    industry: str
    when: date
    criteria: dict[str, Criterion]
    worries: list[Worry]
    answers: list[rv.AnswerReview] = field(default_factory=list)

    @property
    def incomplete(self) -> bool:
        return incomplete(self.card)

    @property
    def title(self) -> str:
        return f"Mock interview: {self.role} at {self.company}"

    @property
    def subtitle(self) -> str:
        return f"with {self.persona}, {self.when.strftime('%-d %B %Y')}"

    def criterion_note(self, key: str) -> str:
        return ask_note(self.card) if key == "asked_for_job" else ""

    def redos(self) -> list[tuple[rv.AnswerReview, rv.Redo]]:
        return [(a, r) for a in self.answers for r in a.redos]


def report_data(
    card: Scorecard, transcript: Transcript | None = None, *, when: date | datetime | None = None
) -> ReportData:
    persona_id = transcript.persona if transcript else "ceo"
    p = load_persona(persona_id)
    values = context_values(transcript.context if transcript else None)
    plan = load_plan()
    order = {t: i for i, t in enumerate(TOPICS)}
    worries = [
        Worry(plan.topics[t.topic].label, plan.topics[t.topic].worry, t.verdict, list(t.evidence))
        for t in sorted(card.risk_topics, key=lambda r: order.get(r.topic, 99))
    ]
    day = when.date() if isinstance(when, datetime) else when or date.today()
    return ReportData(
        card=card,
        transcript=transcript,
        persona=f"{p.name}, {p.title}",
        persona_label=p.label,
        role=values["role"],
        company=values["company"],
        industry=values["industry"],
        when=day,
        criteria={
            "humility": card.criteria.humility,
            "curiosity": card.criteria.curiosity,
            "asked_for_job": card.criteria.asked_for_job,
        },
        worries=worries,
        answers=rv.build(transcript, card) if transcript else [],
    )


def _quotes(evidence: list[Evidence], limit: int = 2) -> list[str]:
    return [f"    > “{short(ev.quote)}” (turn {ev.turn})" for ev in evidence[:limit]]


def render_markdown(
    card: Scorecard, transcript: Transcript | None = None, *, when: date | datetime | None = None
) -> str:
    d = report_data(card, transcript, when=when)
    lines = [f"# {d.title}", "", f"*{d.subtitle}.*", ""]
    if d.incomplete:
        lines += [f"> **{INCOMPLETE_NOTE}**", ""]
    lines += ["## Your scorecard", "", "| Criterion | Score | Note |", "| --- | --- | --- |"]
    for key, crit in d.criteria.items():
        lines.append(f"| {LABELS[key]} | {crit.score}/5 {bar(crit.score)} | {d.criterion_note(key)} |")
    lines.append("")
    for key, crit in d.criteria.items():
        note = fallback_note(crit, card.engine)
        marker = f" *({note})*" if note else ""
        lines.append(f"- **{LABELS[key]}**: {crit.score}/5.{marker} {crit.rationale}")
        lines += _quotes(crit.evidence)
    lines.append("")
    lines.append("## Deal-breakers")
    if card.deal_breakers:
        lines += [f"- {KINDS[x.kind]} (turn {x.turn}): “{short(x.quote)}”" for x in card.deal_breakers]
    else:
        lines.append("- None heard.")
    lines.append("")
    if d.worries:
        lines.append("## The interviewer's worries")
        for w in d.worries:
            lines.append(f"- **{w.label}** ({w.worry}): **{rv.VERDICT_WORDS.get(w.verdict, w.verdict)}**")
            lines += _quotes(w.evidence, 1)
        lines.append("")
    fb = card.feedback
    if fb:
        lines.append("## Coaching")
        lines += [f"- What went well: {s}" for s in fb.strengths]
        if fb.top_change:
            lines.append(f"- The one thing to change: {fb.top_change}")
        if fb.rewrite and fb.rewrite.better:
            lines.append(f"- {rewrite_heading(fb.rewrite, f'turn {fb.rewrite.turn}')}: “{fb.rewrite.better}”")
        lines.append("")
    if d.answers:
        lines += ["## Answer by answer", ""]
        for a in d.answers:
            verdict = f": {a.verdict_word}" if a.verdict else ""
            lines.append(f"### {a.number}. {a.topic_label}{verdict}")
            lines += [
                "",
                f"*Question (turn {a.question_turn}):* {a.question}",
                "",
                f"*Your answer (turn {a.answer_turn}):*",
            ]
            lines += [f"> {short(a.answer, 600)}", ""]
            for s in a.signals:
                mark = {"good": "+", "bad": "−"}.get(s.tone, "·")
                lines.append(f"- {mark} {s.says}: “{short(s.quote, 160)}”")
            lines += [f"- Coaching: {a.coaching}", ""]
    if d.redos():
        lines += ["## Practice: answers tried again", "", "These never change the interview's scores.", ""]
        for a, r in d.redos():
            lines += [
                f"### {a.number}. {a.topic_label}: {a.verdict_word} → {r.verdict_word}",
                "",
                "| Before | After |",
                "| --- | --- |",
                f"| {a.verdict_word} | {r.verdict_word} |",
                f"| {_cell(short(a.answer, 300))} | {_cell(short(r.text, 300))} |",
                f"| {_cell(_signal_list(a.signals))} | {_cell(_signal_list(r.signals))} |",
                "",
                f"Coaching: {r.coaching}",
                "",
            ]
    notes = (card.model_extra or {}).get("notes")
    if notes:
        lines += [f"*{n}*" for n in notes] + [""]
    lines.append(f"*Scored by the {card.engine} engine.*")
    return "\n".join(lines) + "\n"


def _signal_list(signals: list[rv.Signal]) -> str:
    return (
        "; ".join(f"{'+' if s.tone == 'good' else '−' if s.tone == 'bad' else '·'} {s.says}" for s in signals)
        or "no signal"
    )


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
