"""Helpers shared by the LLM tests: engines wired to the fake server with retries that don't sleep."""

from __future__ import annotations

import asyncio

from agent.llm.config import Settings
from agent.llm.interviewer import LLMInterviewer
from agent.llm.judge import LLMScorer
from agent.llm.resilience import RetryPolicy
from agent.models import Context
from agent.session import InterviewSession
from tests.fakes.openai_server import FakeOpenAI


async def _no_wait(seconds: float) -> None:
    return None


def quick_policy() -> RetryPolicy:
    """Retries that record their waits instead of sleeping through them."""
    return RetryPolicy(sleep=lambda s: None, asleep=_no_wait)


def settings_for(server: FakeOpenAI, **kw: object) -> Settings:
    base = {
        "model": "gpt-4o-mini",
        "base_url": server.base_url,
        "api_key": "test-key",
        "timeout": 1.0,
        "retries": 2,
        "max_tokens": 200,
    }
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


def interviewer_for(server: FakeOpenAI, **kw: object) -> LLMInterviewer:
    return LLMInterviewer(settings_for(server, **kw), policy=quick_policy())


def scorer_for(server: FakeOpenAI, **kw: object) -> LLMScorer:
    return LLMScorer(settings_for(server, temperature=0.0, **kw), policy=quick_policy())


def session_after_first_answer() -> InterviewSession:
    """An interview at the interviewer's second turn: one question asked, one answer given."""
    s = InterviewSession.new("ceo", Context(company="Alder Freight"))
    s.commit(s.next_move(), "Welcome. How do you earn the trust of a new team?")
    s.add_candidate("I listen first, then I ask the team what already works and why.")
    return s


def collect(agen) -> list[str]:
    """Everything an async generator yields (a streamed turn), from synchronous test code."""

    async def run() -> list[str]:
        return [chunk async for chunk in agen]

    return asyncio.run(run())
