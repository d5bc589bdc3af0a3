"""The scorecard for a terminal, drawn with `rich` (tables, colour, wrapping), from the same `ReportData`
as the Markdown and HTML reports. Used by `mock-interview score --format text` and at the end of a live
`mock-interview interview`. Without a terminal, rich writes plain text (no escape codes)."""

from __future__ import annotations

from typing import IO

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from agent import review as rv
from agent.models import Scorecard, Transcript
from agent.report import INCOMPLETE_NOTE, KINDS, LABELS, bar, fallback_note, report_data, rewrite_heading

_VERDICT_STYLE = {"addressed": "green", "weak": "yellow", "evaded": "red"}


def _quote(text: str, turn: int | None = None, limit: int = 220) -> Text:
    t = Text("  “" + rv.short(text, limit) + "”", style="italic")
    if turn is not None:
        t.append(f" (turn {turn})", style="dim")
    return t


def renderable(card: Scorecard, transcript: Transcript | None = None) -> Group:
    d = report_data(card, transcript)
    parts: list = [Text(d.title, style="bold"), Text(d.subtitle, style="dim")]
    if d.incomplete:
        parts.append(Panel(Text(INCOMPLETE_NOTE), border_style="yellow"))
    table = Table(show_edge=False, header_style="bold")
    table.add_column("Criterion")
    table.add_column("Score")
    table.add_column("Note")
    for key, crit in d.criteria.items():
        table.add_row(LABELS[key], f"{crit.score}/5 {bar(crit.score)}", d.criterion_note(key))
    parts.append(table)
    for key, crit in d.criteria.items():
        line = Text(f"{LABELS[key]}: ", style="bold")
        line.append(crit.rationale)
        note = fallback_note(crit, card.engine)
        if note:
            line.append(f" ({note})", style="dim")
        parts.append(line)
        parts += [_quote(ev.quote, ev.turn) for ev in crit.evidence[:2]]
    parts.append(Text("\nDeal-breakers", style="bold underline"))
    if card.deal_breakers:
        for x in card.deal_breakers:
            parts += [Text(f"• {KINDS[x.kind]}", style="red"), _quote(x.quote, x.turn)]
    else:
        parts.append(Text("• None heard."))
    if d.worries:
        parts.append(Text("\nThe interviewer's worries", style="bold underline"))
        for w in d.worries:
            line = Text(f"• {w.label}: ")
            line.append(rv.VERDICT_WORDS.get(w.verdict, w.verdict), style=_VERDICT_STYLE.get(w.verdict, ""))
            parts.append(line)
            parts += [_quote(ev.quote, ev.turn) for ev in w.evidence[:1]]
    fb = card.feedback
    if fb:
        parts.append(Text("\nCoaching", style="bold underline"))
        parts += [Text(f"• What went well: {s}") for s in fb.strengths]
        if fb.top_change:
            parts.append(Text(f"• The one thing to change: {fb.top_change}", style="bold"))
        if fb.rewrite and fb.rewrite.better:
            parts.append(Text(f"• {rewrite_heading(fb.rewrite, f'turn {fb.rewrite.turn}')}:"))
            parts.append(_quote(fb.rewrite.better, limit=2000))
    if d.answers:
        parts.append(Text("\nAnswer by answer", style="bold underline"))
        review = Table(show_edge=False, header_style="bold", expand=True)
        review.add_column("#", width=3)
        review.add_column("Topic")
        review.add_column("Verdict")
        review.add_column("Coaching", ratio=3)
        for a in d.answers:
            review.add_row(
                str(a.number),
                a.topic_label,
                Text(a.verdict_word, style=_VERDICT_STYLE.get(a.verdict or "", "")),
                a.coaching,
            )
        parts.append(review)
    parts.append(Text(f"\nScored by the {card.engine} engine.", style="dim"))
    return Group(*parts)


def print_scorecard(card: Scorecard, transcript: Transcript | None = None, file: IO[str] | None = None) -> None:
    console = Console(file=file, highlight=False, soft_wrap=False)
    console.print(renderable(card, transcript))
