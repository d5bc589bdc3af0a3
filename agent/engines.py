"""Choosing an engine from flags and the environment. The LLM engine's modules are imported only
when it is chosen, so the offline path never pays for langchain, openai or tiktoken."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from agent.models import Scorecard, Transcript
from agent.transcripts import InputError

ENGINES = ("offline", "openai")


class ScoringFailed(Exception):
    """A bug in a scorer on one transcript, as one picklable line: that transcript is lost, not the batch."""

    @classmethod
    def of(cls, exc: Exception) -> ScoringFailed:
        return cls(f"scoring failed: {type(exc).__name__}: {exc}")


def attempt(score: Callable[[Transcript], Scorecard], transcript: Transcript,
            keep: tuple[type[Exception], ...] = ()) -> Scorecard | Exception:
    """The card, or what stopped it: bad input and the `keep` kinds as they are (the caller reports each its
    own way), anything else as one ScoringFailed line."""
    try:
        return score(transcript)
    except Exception as exc:  # a bug in a scorer: this transcript is lost, not the batch
        return exc if isinstance(exc, (InputError, *keep)) else ScoringFailed.of(exc)


class Scorer(Protocol):
    name: str

    def score(self, transcript: Transcript) -> Scorecard: ...


class OfflineScorer:
    name = "offline"

    def score(self, transcript: Transcript) -> Scorecard:
        from agent.offline.scorer import score

        return score(transcript)

    def score_all(self, transcripts: list[Transcript]) -> Iterator[Scorecard | Exception]:
        """A whole batch, on every core when it is big enough (see `agent.offline.batch`)."""
        from agent.offline.batch import score_all

        return score_all(transcripts)


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
