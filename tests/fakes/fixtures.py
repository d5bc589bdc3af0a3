"""Helpers shared by the LLM tests: engines wired to the fake server with retries that don't sleep."""

from __future__ import annotations

from agent.llm.config import Settings
from agent.llm.interviewer import LLMInterviewer
from agent.llm.judge import LLMScorer
from agent.llm.resilience import RetryPolicy
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
