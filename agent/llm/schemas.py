"""What the judge must answer, as pydantic models handed to `with_structured_output`.

Deliberately flat and small: every field is required (strict JSON-schema servers demand it), and
the scorecard's own models are built from these only after the code has checked the quotes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from agent.models import DealBreakerKind, Outcome, Topic, Verdict


class Quote(BaseModel):
    """A candidate turn number and words copied from it."""

    turn: int = Field(description="0-based number of the candidate turn quoted")
    quote: str = Field(description="words copied exactly from that turn")


class CriterionAnswer(BaseModel):
    """A 1-5 rating with the reason and quotes."""

    rationale: str = Field(description="one or two sentences")
    score: int = Field(ge=1, le=5)
    evidence: list[Quote]


class AskAnswer(BaseModel):
    """Whether and when the candidate asked for the job."""

    rationale: str = Field(description="one or two sentences")
    outcome: Outcome
    score: int = Field(ge=1, le=5)
    evidence: list[Quote]


class DealBreakerItem(BaseModel):
    kind: DealBreakerKind
    turn: int
    quote: str


class DealBreakersAnswer(BaseModel):
    """Every deal-breaker found; empty when there were none."""

    items: list[DealBreakerItem]


class RiskItem(BaseModel):
    topic: Topic
    verdict: Verdict
    evidence: list[Quote]


class RiskTopicsAnswer(BaseModel):
    """One verdict per raised topic."""

    items: list[RiskItem]


class FeedbackAnswer(BaseModel):
    """Coaching for the candidate."""

    strengths: list[str]
    top_change: str
    rewrite_turn: int | None
    rewrite: str | None


SCHEMAS: dict[str, type[BaseModel]] = {
    "humility": CriterionAnswer,
    "curiosity": CriterionAnswer,
    "asked_for_job": AskAnswer,
    "deal_breakers": DealBreakersAnswer,
    "risk_topics": RiskTopicsAnswer,
    "feedback": FeedbackAnswer,
}

CRITERIA: tuple[str, ...] = tuple(SCHEMAS)
Criterion = Literal["humility", "curiosity", "asked_for_job", "deal_breakers", "risk_topics", "feedback"]
