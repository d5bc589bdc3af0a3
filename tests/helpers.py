"""Small drivers shared by tests: a scripted offline interview."""

from __future__ import annotations

from agent.interview import Conversation
from agent.models import Context, Scorecard
from agent.offline.interviewer import OfflineInterviewer

TEN_LINES = [
    "Thanks for having me. At Corvid Logistics my team of 40 rebuilt our planning process in 2022, "
    "and the credit goes to them.",
    "I'd start by listening to the people who built what works, and only then suggest changes with them.",
    "When a customer asked us to backdate an invoice, I refused, documented it and told our CFO the same day.",
    "I'd need about ninety days to learn the industry, and I'd lean on your finance lead while I ramp up.",
    "I plan to stay for the long haul; my last two roles each lasted six years.",
    "I read your annual report and looked at your three main competitors, especially their pricing moves.",
    "In the first 30 days I'd meet every direct report, by day 60 agree priorities, by day 90 deliver one quick win.",
    "I read that you're expanding into Canada next year. How do you see that changing the team?",
    "What keeps you up at night about the competition?",
    "Based on what we've covered, would you feel confident recommending me for the next conversation?",
]


def run_interview(persona: str = "board_member", lines: list[str] | None = None, *, seed: int = 0,
                  context: Context | None = None, length: int = 6) -> Conversation:
    convo = Conversation.start(persona, context or Context(company="Alder Freight", industry="logistics",
                                                           role="COO"), OfflineInterviewer(), seed=seed, length=length)
    for line in lines if lines is not None else TEN_LINES:
        if convo.closed:
            break
        convo.reply(line)
    if not convo.closed:
        convo.end()
    return convo


def assert_quotes_verbatim(card: dict, turns: list[dict]) -> None:
    """Every quote a scorecard cites is a non-empty slice of the candidate turn it names."""
    for turn, quote in Scorecard.model_validate(card).quotes():
        assert turns[turn]["speaker"] == "candidate"
        assert quote and quote in turns[turn]["text"]
