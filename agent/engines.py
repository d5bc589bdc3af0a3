"""Choosing an engine from flags and the environment. The LLM engine's modules are imported only
when it is chosen, so the offline path never pays for langchain, openai or tiktoken."""

from __future__ import annotations

import os
from typing import Any, Protocol

from agent.models import Scorecard, Transcript
from agent.transcripts import InputError

ENGINES = ("offline", "openai")


class Scorer(Protocol):
    name: str

    def score(self, transcript: Transcript) -> Scorecard: ...


class OfflineScorer:
    name = "offline"

    def score(self, transcript: Transcript) -> Scorecard:
        from agent.offline.scorer import score

        return score(transcript)

    def prepare(self, transcripts: list[Transcript]) -> None:
        """Ready the listener for these transcripts, about to be scored one by one (see `cmd_score`)."""
        from agent.listening import prepare

        prepare(transcripts)


def llm_configured(env: dict[str, str] | None = None) -> bool:
    env = dict(os.environ) if env is None else env
    return bool(env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL"))


def choose(engine: str | None) -> str:
    """The engine to use: the one asked for, else an LLM when one is configured, else offline."""
    if engine is None:
        return "openai" if llm_configured() else "offline"
    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}' (choose one of: {', '.join(ENGINES)})")
    if engine == "openai" and not llm_configured():
        raise InputError(
            "the openai engine needs a model endpoint: set OPENAI_API_KEY (and optionally OPENAI_BASE_URL "
            "for an OpenAI-compatible server), or use --engine offline"
        )
    return engine


def get_scorer(engine: str | None, model: str | None = None) -> Scorer:
    chosen = choose(engine)
    if chosen == "offline":
        return OfflineScorer()
    from agent.llm.judge import LLMScorer

    return LLMScorer.from_env(model=model)


def get_interviewer(engine: str | None, model: str | None = None) -> Any:
    chosen = choose(engine)
    if chosen == "offline":
        from agent.offline.interviewer import OfflineInterviewer

        return OfflineInterviewer()
    from agent.llm.interviewer import LLMInterviewer

    return LLMInterviewer.from_env(model=model)
