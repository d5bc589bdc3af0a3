"""What the page says, as Markdown built by plain functions (tested without a browser).

Chainlit renders assistant messages as Markdown. Anything that did not come from us (the
candidate's words quoted in a scorecard, a judge's rationale, a company name typed in the
settings and echoed by the interviewer) goes through `inert`, which backslash-escapes the
characters that could make a link, an image, HTML or a heading, so it shows as the text it is.
"""

from __future__ import annotations

import re

from agent.models import TOPICS, Criterion, Scorecard, Transcript
from agent.plan import Persona, context_values, load_persona, load_plan
from agent.report import fallback_note

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!#|~$])")

LABELS = {"humility": "Humility", "curiosity": "Curiosity", "asked_for_job": "Asked for the job"}
OUTCOMES = {"asked": "asked", "not_asked": "did not ask", "premature": "pushed too soon"}
DEAL_BREAKERS = {
    "told_how_to_run_business": "Told the interviewer how to run the business",
    "criticized_product": "Criticised the product unasked",
    "closed_too_soon": "Pushed to close too soon",
}
VERDICTS = {"addressed": "addressed", "weak": "weak", "evaded": "evaded"}

# Starters: what the first message of a thread means (they start the interview; they are not answers).
START = "I'm ready. Let's begin."
START_SHORT = "I have twenty minutes: a short practice, please."
SHOW_PROGRESS = "Show my progress over time."
SHORT_LENGTH = 2


def inert(text: str) -> str:
    """Escape Markdown so outside text renders literally (no links, images, HTML or headings)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _bar(score: int) -> str:
    return "●" * score + "○" * (5 - score)


def avatar_url(name: str) -> str:
    """Where `public/avatars/` keeps a speaker's picture (Chainlit's own naming: lower case, underscores)."""
    return "/public/avatars/" + name.strip().lower().replace(" ", "_").replace(".", "_") + ".svg"


def profile_description(persona: Persona, engine_line: str) -> str:
    """The landing text of a chat profile: who you will meet, what to do, which engine is live."""
    focus = ", ".join(load_plan().topics[t].label.lower() for t in persona.focus[:3])
    return (
        f"### {persona.name}, {persona.title}\n\n{persona.description}\n\n"
        f"Leans toward: {focus}.\n\n"
        "Set the company, industry and role in the settings (the gear by the message box), "
        "then start. One question at a time; end whenever you like to get your scorecard.\n\n"
        f"{engine_line}"
    )


def interview_header(persona: Persona, values: dict[str, str], length: int) -> str:
    return (
        f"*Mock interview for **{inert(values['role'])}** at **{inert(values['company'])}** "
        f"({inert(values['industry'])}) with {persona.name}, {persona.title}. "
        f"{length} topic{'s' if length != 1 else ''}; press “End interview and score” at any time.*"
    )


def _evidence(crit: Criterion, limit: int = 2) -> list[str]:
    out = []
    for ev in crit.evidence[:limit]:
        quote = ev.quote if len(ev.quote) <= 240 else ev.quote[:237] + "..."
        out.append(f"  > “{inert(quote)}” *(turn {ev.turn})*")
    return out


def scorecard_markdown(card: Scorecard, transcript: Transcript) -> str:
    """The one scorecard message: criteria, evidence tied to turns, deal-breakers, worries, coaching."""
    persona = load_persona(transcript.persona)
    values = context_values(transcript.context)
    role, company = values["role"], values["company"]
    lines = ["## Your scorecard", ""]
    lines += [
        f"*{inert(role)} at {inert(company)}, with {persona.name} ({persona.label[:1].lower() + persona.label[1:]}); "
        f"scored by the {inert(card.engine)} engine.*",
        "",
        "| Criterion | Score | |",
        "| --- | --- | --- |",
    ]
    criteria: dict[str, Criterion] = {
        "humility": card.criteria.humility,
        "curiosity": card.criteria.curiosity,
        "asked_for_job": card.criteria.asked_for_job,
    }
    for key, crit in criteria.items():
        note = OUTCOMES[card.criteria.asked_for_job.outcome] if key == "asked_for_job" else ""
        lines.append(f"| {LABELS[key]} | {crit.score}/5 {_bar(crit.score)} | {note} |")
    lines.append("")
    for key, crit in criteria.items():
        fallback = fallback_note(crit, card.engine)
        marker = f" *({fallback})*" if fallback else ""
        lines.append(f"**{LABELS[key]}: {crit.score}/5.**{marker} {inert(crit.rationale)}")
        quotes = _evidence(crit)
        lines += quotes if quotes else ["  *(no quote to point to)*"]
        lines.append("")
    lines.append("### Deal-breakers")
    if card.deal_breakers:
        for d in card.deal_breakers:
            lines.append(f"- {DEAL_BREAKERS[d.kind]} *(turn {d.turn})*: “{inert(d.quote)}”")
    else:
        lines.append("- None heard.")
    lines.append("")
    if card.risk_topics:
        plan = load_plan()
        lines.append("### The interviewer's worries")
        order = {t: i for i, t in enumerate(TOPICS)}
        for t in sorted(card.risk_topics, key=lambda r: order.get(r.topic, 99)):
            topic = plan.topics[t.topic]
            quote = ""
            if t.evidence:
                ev = t.evidence[0]
                short = ev.quote if len(ev.quote) <= 160 else ev.quote[:157] + "..."
                quote = f" “{inert(short)}” *(turn {ev.turn})*"
            lines.append(f"- **{topic.label}** ({inert(topic.worry)}): **{VERDICTS[t.verdict]}**.{quote}")
        lines.append("")
    fb = card.feedback
    if fb:
        lines.append("### Coaching")
        for s in fb.strengths:
            lines.append(f"- What went well: {inert(s)}")
        if fb.top_change:
            lines.append(f"- The one thing to change: {inert(fb.top_change)}")
        if fb.rewrite and fb.rewrite.better:
            where = f"turn {fb.rewrite.turn}" if fb.rewrite.turn is not None else "your weakest answer"
            lines.append(f"- A better way to say {where}: “{inert(fb.rewrite.better)}”")
        lines.append("")
    notes = (card.model_extra or {}).get("notes")
    if notes:
        lines += [f"*{inert(str(n))}*" for n in notes] + [""]
    return "\n".join(lines).rstrip() + "\n"


def progress_markdown(rows: list[dict]) -> str:
    if not rows:
        return "No scored interviews yet. Finish one (or press “End interview and score”) and it will show here."
    last = rows[-1]
    first = rows[0]
    trend = []
    for key, label in (
        ("humility", "humility"),
        ("curiosity", "curiosity"),
        ("askedForJob", "asking for the job"),
    ):
        delta = last[key] - first[key]
        trend.append(f"{label} {first[key]}→{last[key]}" + (f" ({delta:+d})" if delta else ""))
    return (
        f"**Your progress over {len(rows)} scored interview{'s' if len(rows) != 1 else ''}:** " + "; ".join(trend) + "."
    )


def retry_line(what: str, error: BaseException) -> str:
    reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    reason = reason if len(reason) <= 160 else reason[:157] + "..."
    return f"The {what} failed ({inert(reason)}). Your transcript is safe; press Retry to try again."
