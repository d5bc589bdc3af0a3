"""The scorecard as one self-contained HTML file: styles and the chart (an SVG) inline, no script, no
font, no request of any kind, so it opens offline, prints cleanly and follows the reader's light or dark
theme. Every piece of outside text (the candidate's words, the company, a judge's rationale) is escaped."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from agent import review as rv
from agent.models import Scorecard, Transcript
from agent.report import INCOMPLETE_NOTE, KINDS, LABELS, ReportData, fallback_note, report_data, rewrite_heading, short

COLORS = {"humility": "#2f6f73", "curiosity": "#c77d2e", "asked_for_job": "#5a4fb0"}
VERDICT_CLASS = {"addressed": "good", "weak": "warn", "evaded": "bad"}

_CSS = """
:root { color-scheme: light dark; --fg: #1d2327; --muted: #5b6670; --bg: #ffffff; --card: #f5f7f8;
  --line: #d9dee2; --good: #1f7a4d; --warn: #9a6400; --bad: #b3261e; --accent: #2f6f73; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8ecef; --muted: #a7b1b9; --bg: #15191c; --card: #1f2529;
  --line: #3a4349; --good: #5cc28f; --warn: #e0b050; --bad: #f28b82; --accent: #6fc2c6; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 860px; margin: 0 auto; padding: 32px 20px 48px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.02em; margin: 18px 0 6px; }
.sub, .muted { color: var(--muted); }
.banner { background: var(--card); border-left: 4px solid var(--warn); padding: 10px 14px; margin: 16px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; font-size: .9em; }
blockquote { margin: 6px 0 6px 0; padding: 4px 12px; border-left: 3px solid var(--line); color: var(--fg); }
.turn { color: var(--muted); font-size: .85em; }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: .85em; font-weight: 600;
  border: 1px solid currentColor; }
.good { color: var(--good); } .warn { color: var(--warn); } .bad { color: var(--bad); }
.answer { background: var(--card); border-radius: 8px; padding: 10px 14px; margin: 10px 0; }
ul { padding-left: 20px; } li { margin: 3px 0; }
svg text { fill: var(--fg); font: 13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
svg .grid { stroke: var(--line); } footer { margin-top: 36px; font-size: .85em; color: var(--muted); }
@media print { body { background: #fff; color: #000; } .answer { break-inside: avoid; } }
"""


def chart_svg(card: Scorecard) -> str:
    """The three scores as horizontal bars on the 1-5 scale, an inline SVG that inherits the page's colours."""
    keys = ["humility", "curiosity", "asked_for_job"]
    left, width, row, top = 150, 320, 34, 10
    height = top + row * len(keys) + 26
    parts = [
        f'<svg role="img" aria-label="Scores out of 5" viewBox="0 0 {left + width + 150} {height}" '
        f'width="100%" style="max-width:{left + width + 150}px" xmlns="http://www.w3.org/2000/svg">'
    ]
    for n in range(6):
        x = left + width * n / 5
        parts.append(f'<line class="grid" x1="{x:.0f}" y1="{top - 4}" x2="{x:.0f}" y2="{top + row * len(keys)}"/>')
        parts.append(f'<text x="{x:.0f}" y="{height - 6}" text-anchor="middle">{n}</text>')
    for i, key in enumerate(keys):
        crit = getattr(card.criteria, key)
        y = top + i * row
        w = width * crit.score / 5
        note = ""
        if key == "asked_for_job":
            from agent.report import ask_note

            note = f" ({ask_note(card)})"
        parts.append(f'<text x="{left - 10}" y="{y + 20}" text-anchor="end">{escape(LABELS[key])}</text>')
        parts.append(f'<rect x="{left}" y="{y + 5}" width="{w:.0f}" height="22" rx="3" fill="{COLORS[key]}"/>')
        parts.append(f'<text x="{left + w + 8:.0f}" y="{y + 20}">{crit.score}/5{escape(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _quote(quote: str, turn: int | None = None, limit: int = 300) -> str:
    where = f' <span class="turn">(turn {turn})</span>' if turn is not None else ""
    return f"<blockquote>“{escape(short(quote, limit))}”{where}</blockquote>"


def _signals(signals: list[rv.Signal]) -> str:
    if not signals:
        return '<p class="muted">No signal heard.</p>'
    items = []
    for s in signals:
        cls = {"good": "good", "bad": "bad"}.get(s.tone, "muted")
        mark = {"good": "+", "bad": "−"}.get(s.tone, "·")
        items.append(f'<li><span class="{cls}">{mark} {escape(s.says)}</span>: “{escape(short(s.quote, 160))}”</li>')
    return "<ul>" + "".join(items) + "</ul>"


def _verdict(verdict: str | None) -> str:
    if not verdict:
        return ""
    return f' <span class="pill {VERDICT_CLASS[verdict]}">{escape(rv.VERDICT_WORDS[verdict])}</span>'


def render_html(card: Scorecard, transcript: Transcript | None = None, *, when: date | datetime | None = None) -> str:
    d: ReportData = report_data(card, transcript, when=when)
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{escape(d.title)} ({d.when.isoformat()})</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>{escape(d.title)}</h1>",
        f'<p class="sub">{escape(d.subtitle)} · {escape(d.industry)}</p>',
    ]
    if d.incomplete:
        out.append(f'<p class="banner"><strong>{escape(INCOMPLETE_NOTE)}</strong></p>')
    out += ["<h2>Your scorecard</h2>", chart_svg(card)]
    out.append("<table><thead><tr><th>Criterion</th><th>Score</th><th>Note</th></tr></thead><tbody>")
    for key, crit in d.criteria.items():
        out.append(f"<tr><td>{LABELS[key]}</td><td>{crit.score}/5</td><td>{escape(d.criterion_note(key))}</td></tr>")
    out.append("</tbody></table>")
    for key, crit in d.criteria.items():
        note = fallback_note(crit, card.engine)
        marker = f' <em class="muted">({escape(note)})</em>' if note else ""
        out.append(f"<h3>{LABELS[key]}: {crit.score}/5{marker}</h3><p>{escape(crit.rationale)}</p>")
        out += [_quote(ev.quote, ev.turn) for ev in crit.evidence[:2]]
    out.append("<h2>Deal-breakers</h2>")
    if card.deal_breakers:
        out.append("<ul>")
        out += [
            f'<li><span class="bad">{escape(KINDS[x.kind])}</span>{_quote(x.quote, x.turn)}</li>'
            for x in card.deal_breakers
        ]
        out.append("</ul>")
    else:
        out.append("<p>None heard.</p>")
    if d.worries:
        out.append("<h2>The interviewer's worries</h2>")
        for w in d.worries:
            out.append(f'<h3>{escape(w.label)}{_verdict(w.verdict)}</h3><p class="muted">{escape(w.worry)}</p>')
            out += [_quote(ev.quote, ev.turn) for ev in w.evidence[:1]]
    fb = card.feedback
    if fb:
        out.append("<h2>Coaching</h2><ul>")
        out += [f"<li>What went well: {escape(s)}</li>" for s in fb.strengths]
        if fb.top_change:
            out.append(f"<li><strong>The one thing to change:</strong> {escape(fb.top_change)}</li>")
        out.append("</ul>")
        if fb.rewrite and fb.rewrite.better:
            out.append(
                f"<p><strong>{rewrite_heading(fb.rewrite, f'turn {fb.rewrite.turn}')}:</strong></p>"
                + _quote(fb.rewrite.better, None, 2000)
            )
    if d.answers:
        out.append("<h2>Answer by answer</h2>")
        for a in d.answers:
            out.append('<div class="answer">')
            out.append(f"<h3>{a.number}. {escape(a.topic_label)}{_verdict(a.verdict)}</h3>")
            out.append(f'<p><span class="muted">Question:</span> {escape(a.question)}</p>')
            out.append(_quote(a.answer, a.answer_turn, 1200))
            out.append(_signals(a.signals))
            out.append(f"<p><strong>Coaching:</strong> {escape(a.coaching)}</p></div>")
    if d.redos():
        out.append(
            '<h2>Practice: answers tried again</h2><p class="muted">These never change the interview\'s scores.</p>'
        )
        for a, r in d.redos():
            out.append(f'<div class="answer"><h3>{a.number}. {escape(a.topic_label)}</h3>')
            out.append("<table><thead><tr><th>Before</th><th>After</th></tr></thead><tbody>")
            out.append(f"<tr><td>{_verdict(a.verdict)}</td><td>{_verdict(r.verdict)}</td></tr>")
            out.append(f"<tr><td>{escape(short(a.answer, 600))}</td><td>{escape(short(r.text, 600))}</td></tr>")
            out.append(f"<tr><td>{_signals(a.signals)}</td><td>{_signals(r.signals)}</td></tr>")
            out.append(f"</tbody></table><p><strong>Coaching:</strong> {escape(r.coaching)}</p></div>")
    notes = (card.model_extra or {}).get("notes")
    if notes:
        out += [f'<p class="muted">{escape(str(n))}</p>' for n in notes]
    out.append(f"<footer>Scored by the {escape(card.engine)} engine · mock-interview</footer>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"
