"""What the page says, as Markdown built by plain functions (tested without a browser).

Chainlit renders assistant messages as Markdown. Anything that did not come from us (the
candidate's words quoted in a scorecard, a judge's rationale, a company name typed in the
settings and echoed by the interviewer) goes through `inert`, which backslash-escapes the
characters that could make a link, an image, HTML or a heading, so it shows as the text it is.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from agent.models import TOPICS, Context, Criterion, Scorecard, Transcript
from agent.plan import Persona, context_values, load_persona, load_plan
from agent.report import INCOMPLETE_NOTE, ask_note, fallback_note, rewrite_heading

if TYPE_CHECKING:
    from agent.session import InterviewSession
    from agent.web.settings import EngineInfo

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


def profile_description(persona: Persona) -> str:
    """The landing text of a chat profile: who you will meet and what they will probe."""
    focus = ", ".join(load_plan().topics[t].label.lower() for t in persona.focus[:3])
    return f"### {persona.name}, {persona.title}\n\n{persona.description}\n\nLeans toward: {focus}."


def operator_help(info: EngineInfo) -> str:
    """The settings' help line about the engine (operator detail stays out of the landing page)."""
    if info.is_llm:
        return f"A language model ({info.engine}) plays the interviewer and the judge; your answers go to its server."
    return "Practice runs on this machine (the offline engine): nothing you type leaves it."


def welcome(persona: Persona, settings: dict[str, Any]) -> str:
    """The first thing a new chat says: how practice works, what is scored, where data goes."""
    ctx = Context(**{k: (str(settings.get(k) or "").strip() or None) for k in ("company", "industry", "role")})
    values = context_values(ctx)
    if ctx.company or ctx.role:
        setup = (
            f"You are set up for **{inert(values['role'])}** at **{inert(values['company'])}** (from your settings)."
        )
    else:
        setup = (
            "No company or role set yet: open the settings (the sliders icon by the message box) to practise "
            f"for your real interview, or start now with a stand-in, **{values['role']}** at **{values['company']}**."
        )
    return (
        f"**Practise the interview that decides an executive hire** with {persona.name}, {persona.title}.\n\n"
        f"{setup}\n\n"
        "One question at a time, as in the room; near the end you'll be invited to ask your own questions. "
        "End whenever you like. You are scored on **humility**, **curiosity** and **whether you asked for the "
        "job**, with your own words as evidence, an answer-by-answer review, and the chance to try any answer "
        "again.\n\n"
        "*Your interviews are saved for you alone on the server running this app.*"
    )


def stand_ins(context: Context | None) -> list[str]:
    """Which settings were empty, so the interview uses the plan's stand-ins for them."""
    ctx = context or Context()
    return [k for k in ("company", "industry", "role") if not (getattr(ctx, k) or "").strip()]


def interview_header(persona: Persona, values: dict[str, str], length: int, missing: list[str] | None = None) -> str:
    line = (
        f"*Mock interview for **{inert(values['role'])}** at **{inert(values['company'])}** "
        f"({inert(values['industry'])}) with {persona.name}, {persona.title}. "
        f"{length} topic{'s' if length != 1 else ''}; press “End interview and score” at any time.*"
    )
    if missing:
        names = " and ".join(", ".join(missing).rsplit(", ", 1))
        line += (
            f"\n\n*No {names} set, so this practice uses a stand-in for {'it' if len(missing) == 1 else 'them'}. "
            "Set your own in the settings for the next interview.*"
        )
    return line


def thread_name(session: InterviewSession, day: date) -> str:
    """The sidebar's name for an interview: persona, company and date."""
    values = context_values(session.state.context)
    return f"{load_persona(session.state.persona).label} · {values['company']} · {day.strftime('%-d %b %Y')}"


def settings_saved(settings: dict[str, Any], kept: bool) -> str:
    company = str(settings.get("company") or "").strip()
    role = str(settings.get("role") or "").strip()
    what = f" for **{inert(role or 'the role')}** at **{inert(company)}**" if company else ""
    where = " They stay for your next interviews until you change them." if kept else ""
    return f"Settings saved{what}.{where} Press “Start the interview” when you're ready."


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
        f"*{inert(role)} at {inert(company)}, with {persona.name}, {persona.title}; "
        f"scored by the {inert(card.engine)} engine.*",
        "",
    ]
    if card.complete is False:
        lines += [f"> **{INCOMPLETE_NOTE}**", ""]
    lines += [
        "| Criterion | Score | Note |",
        "| --- | --- | --- |",
    ]
    criteria: dict[str, Criterion] = {
        "humility": card.criteria.humility,
        "curiosity": card.criteria.curiosity,
        "asked_for_job": card.criteria.asked_for_job,
    }
    for key, crit in criteria.items():
        note = ask_note(card) if key == "asked_for_job" else ""
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
            lines.append(f"- {rewrite_heading(fb.rewrite, where)}: “{inert(fb.rewrite.better)}”")
        lines.append("")
    notes = (card.model_extra or {}).get("notes")
    if notes:
        lines += [f"*{inert(str(n))}*" for n in notes] + [""]
    return "\n".join(lines).rstrip() + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def progress_markdown(rows: list[dict], persona: str | None = None) -> str:
    """What the progress chart shows, in words: complete interviews only, a trend once there are two."""
    who = f" with {load_persona(persona).label[:1].lower()}{load_persona(persona).label[1:]}" if persona else ""
    if not rows:
        return f"No scored interviews{who} yet. Finish one (or press “End interview and score”) and it will show here."
    done = [r for r in rows if r.get("complete") is not False]
    cut = len(rows) - len(done)
    apart = (
        f" {_plural(cut, 'interview')} ended before the close {'is' if cut == 1 else 'are'} shown apart "
        "(hollow markers) and left out of the trend."
        if cut
        else ""
    )
    if len(done) < 2:
        if not done:
            return f"**No complete interview{who} yet.**{apart} Finish one through the close to start your trend."
        r = done[0]
        return (
            f"**One complete interview{who} so far:** humility {r['humility']}/5, curiosity {r['curiosity']}/5, "
            f"asking for the job {r['askedForJob']}/5. Practise again to see a trend.{apart}"
        )
    first, last = done[0], done[-1]
    trend = []
    for key, label in (("humility", "humility"), ("curiosity", "curiosity"), ("askedForJob", "asking for the job")):
        delta = last[key] - first[key]
        trend.append(f"{label} {first[key]}→{last[key]}" + (f" ({delta:+d})" if delta else " (steady)"))
    return (
        f"**Your progress over {_plural(len(done), 'complete interview')}{who}** "
        f"({str(first['createdAt'])[:10]} to {str(last['createdAt'])[:10]}): " + "; ".join(trend) + "." + apart
    )


def retry_line(what: str, error: BaseException) -> str:
    reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    reason = reason if len(reason) <= 160 else reason[:157] + "..."
    return f"The {what} failed ({inert(reason)}). Your transcript is safe; press Retry to try again."
