"""Typed mirrors of the two data contracts (transcript and scorecard JSON schemas).

The JSON schemas in `agent/schemas/` are the source of truth for outside tools; these
models are what the code passes around. `tests/test_models.py` proves they agree.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PersonaId = Literal["ceo", "board_member"]
Speaker = Literal["interviewer", "candidate"]
Outcome = Literal["asked", "not_asked", "premature"]
DealBreakerKind = Literal["told_how_to_run_business", "criticized_product", "closed_too_soon"]
Topic = Literal["team_fit", "rocking_the_boat", "integrity", "cost_and_ramp_up", "tenure", "preparation"]
Verdict = Literal["addressed", "weak", "evaded"]

PERSONAS: tuple[str, ...] = ("ceo", "board_member")
TOPICS: tuple[str, ...] = (
    "team_fit",
    "rocking_the_boat",
    "integrity",
    "cost_and_ramp_up",
    "tenure",
    "preparation",
)
DEAL_BREAKER_KINDS: tuple[str, ...] = ("told_how_to_run_business", "criticized_product", "closed_too_soon")
OUTCOMES: tuple[str, ...] = ("asked", "not_asked", "premature")


class _Open(BaseModel):
    """Extra fields are allowed by both schemas (ids, labels, topic tags) and kept on round trips."""

    model_config = ConfigDict(extra="allow")


class Context(_Open):
    company: str | None = None
    industry: str | None = None
    role: str | None = None
    job_description: str | None = None


class Turn(_Open):
    speaker: Speaker
    text: str
    topic: str | None = None  # the question-plan topic of an interviewer turn, when the product wrote it
    move: str | None = None  # what the interviewer decided (question, follow_up, pushback, close, ...)


class Transcript(_Open):
    persona: PersonaId
    context: Context | None = None
    turns: list[Turn] = Field(min_length=1)

    def candidate_turns(self) -> list[tuple[int, str]]:
        return [(i, t.text) for i, t in enumerate(self.turns) if t.speaker == "candidate"]


class Evidence(_Open):
    turn: int = Field(ge=0)
    quote: str = Field(min_length=1)


class Criterion(_Open):
    score: int = Field(ge=1, le=5)
    rationale: str
    evidence: list[Evidence] = Field(default_factory=list)
    scored_by: str | None = None  # the engine that produced this score when it is not the card's `engine`


class AskedForJob(Criterion):
    outcome: Outcome


class Criteria(_Open):
    humility: Criterion
    curiosity: Criterion
    asked_for_job: AskedForJob


class DealBreaker(_Open):
    kind: DealBreakerKind
    turn: int = Field(ge=0)
    quote: str = Field(min_length=1)


class RiskTopic(_Open):
    topic: Topic
    verdict: Verdict
    evidence: list[Evidence] = Field(default_factory=list)


class Rewrite(_Open):
    turn: int | None = None
    better: str | None = None


class Feedback(_Open):
    strengths: list[str] = Field(default_factory=list)
    top_change: str | None = None
    rewrite: Rewrite | None = None


class Scorecard(_Open):
    engine: str
    criteria: Criteria
    deal_breakers: list[DealBreaker] = Field(default_factory=list)
    risk_topics: list[RiskTopic] = Field(default_factory=list)
    feedback: Feedback | None = None
    complete: bool | None = None  # false when the interview ended before its close

    def quotes(self) -> list[tuple[int, str]]:
        """Every (turn, quote) the scorecard cites: criteria, deal-breakers and risk topics alike."""
        c = self.criteria
        items = [(e.turn, e.quote) for crit in (c.humility, c.curiosity, c.asked_for_job) for e in crit.evidence]
        items += [(d.turn, d.quote) for d in self.deal_breakers]
        items += [(e.turn, e.quote) for t in self.risk_topics for e in t.evidence]
        return items

    def to_json_dict(self) -> dict:
        """The JSON form: unset optional fields are left out rather than written as null."""
        return self.model_dump(mode="json", exclude_none=True)
