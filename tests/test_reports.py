"""Issue 10 reports: the Markdown and self-contained HTML reports carry what the page shows, under names
that say which interview they are; the terminal renders with rich; JSON stays the default on a pipe."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date

from agent import review as rv
from agent.models import Evidence, Transcript
from agent.offline.interviewer import OfflineInterviewer
from agent.offline.scorer import score
from agent.report import file_stem, render_markdown
from agent.report_html import render_html
from agent.session import InterviewSession
from tests.helpers import TEN_LINES

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def _early(company: str = "Alder Freight", role: str = "COO") -> Transcript:
    s = InterviewSession.new("board_member")
    s.state.context.company, s.state.context.role = company, role
    i = OfflineInterviewer()
    i.respond(s)
    s.add_candidate(TEN_LINES[0])
    i.respond(s)
    i.respond(s, s.end_move())
    return s.transcript()


def test_file_names_carry_company_role_and_date():
    t = _early("Zürich & Söhne AG", "Chief Operating Officer")
    assert file_stem(t, date(2026, 3, 4)) == "interview-zurich-sohne-ag-chief-operating-officer-2026-03-04"
    assert file_stem(
        Transcript(persona="ceo", turns=[{"speaker": "interviewer", "text": "Hi?"}]), date(2026, 1, 2)
    ) == ("interview-2026-01-02")


def test_markdown_report_has_display_names_worry_evidence_review_and_incomplete_mark(sample):
    t = _early()
    card = score(t)
    md = render_markdown(card, t, when=date(2026, 3, 4))
    assert "Richard Okafor, Chair of the Audit Committee" in md and "interviewer: board_member" not in md
    assert "| Criterion | Score | Note |" in md and "close not reached" in md and "Incomplete interview" in md
    assert "did not ask" not in md
    assert "## Answer by answer" in md and "Coaching:" in md
    worries = md.split("## The interviewer's worries")[1].split("##")[0]
    assert "Integrity" in worries and "(turn 1)" in worries  # evidence for each worry


def test_html_report_is_self_contained_escaped_and_complete():
    t = _early(company=HOSTILE)
    card = score(t)
    card.criteria.humility.evidence.insert(0, Evidence(turn=1, quote=HOSTILE))
    t.turns += rv.redo_turns("Why would you stay?", "tenure", "Because the work matters. " + HOSTILE, of=1)
    html = render_html(card, t)
    assert html.startswith("<!doctype html>") and "<svg" in html and "<style>" in html
    assert "<script" not in html.lower() and "<img" not in html.lower()  # outside text is escaped
    assert not re.search(r"(src|href)=\"https?:", html) and "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html  # nothing can load even if a browser tried
    for piece in (
        "Humility",
        "Curiosity",
        "Asked for the job",
        "close not reached",
        "The interviewer's worries",
        "Answer by answer",
        "Practice: answers tried again",
        "Richard Okafor",
    ):
        assert piece in html, piece
    assert "prefers-color-scheme: dark" in html  # reads in a dark theme too


def test_score_text_renders_for_a_terminal_and_json_stays_the_default_on_a_pipe(tmp_path, sample):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(sample))
    cli = [sys.executable, "-m", "agent.cli", "score", str(path), "--engine", "offline"]
    piped = subprocess.run(cli, capture_output=True, text=True, check=True)
    assert json.loads(piped.stdout)["engine"] == "offline"
    text = subprocess.run([*cli, "--format", "text"], capture_output=True, text=True, check=True).stdout
    assert "Asked for the job" in text and "Answer by answer" in text
    assert "##" not in text and "**" not in text and "\x1b[" not in text  # not Markdown, no codes on a pipe
    assert "┃" in text or "│" in text  # a real table
