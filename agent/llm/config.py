"""Settings for the LLM engine, read from the environment once per engine.

Kept apart from the code that builds clients so that reading settings never needs a key, and so
that tests can build a `Settings` by hand without touching `os.environ`.

    OPENAI_API_KEY                 the key (a placeholder is sent when only a base URL is set)
    OPENAI_BASE_URL                any OpenAI-compatible endpoint (llama.cpp, Ollama, vLLM, LM Studio)
    MOCK_INTERVIEW_MODEL           the interviewer's model, `name` or `provider:name` (gpt-4o-mini)
    MOCK_INTERVIEW_JUDGE_MODEL     the judge's model (defaults to the interviewer's)
    MOCK_INTERVIEW_TIMEOUT         seconds a whole model call may take, every byte of the reply included (60)
    MOCK_INTERVIEW_RETRIES         extra attempts for failures worth retrying (2)
    MOCK_INTERVIEW_MAX_TOKENS      the interviewer's reply limit (400)
    MOCK_INTERVIEW_JUDGE_MAX_TOKENS  the judge's reply limit (800)
    MOCK_INTERVIEW_CONTEXT_TOKENS  the model's context window, when agent/data/models.json doesn't know it
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from agent.transcripts import InputError

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_PROVIDER = "openai"
# A local server (llama.cpp, Ollama, vLLM) usually wants no key, but the openai client insists on one.
PLACEHOLDER_KEY = "not-needed-for-local-servers"

ENV_MODEL = "MOCK_INTERVIEW_MODEL"
ENV_JUDGE_MODEL = "MOCK_INTERVIEW_JUDGE_MODEL"
ENV_TIMEOUT = "MOCK_INTERVIEW_TIMEOUT"
ENV_RETRIES = "MOCK_INTERVIEW_RETRIES"
ENV_MAX_TOKENS = "MOCK_INTERVIEW_MAX_TOKENS"
ENV_JUDGE_MAX_TOKENS = "MOCK_INTERVIEW_JUDGE_MAX_TOKENS"
ENV_CONTEXT = "MOCK_INTERVIEW_CONTEXT_TOKENS"


class ConfigError(InputError):
    """A setting in the environment can't be used; the message names the variable (exit 2, like bad input)."""


def _known_providers() -> frozenset[str]:
    """The providers `init_chat_model` knows, so `llama3:8b` (an Ollama tag) is not read as a provider."""
    try:
        from langchain.chat_models.base import _BUILTIN_PROVIDERS  # private, hence the fallback

        return frozenset(_BUILTIN_PROVIDERS)
    except Exception:  # pragma: no cover - depends on the installed langchain
        return frozenset(
            {
                "openai",
                "azure_openai",
                "anthropic",
                "ollama",
                "google_genai",
                "mistralai",
                "groq",
                "bedrock",
                "fireworks",
                "together",
                "deepseek",
                "xai",
                "huggingface",
            }
        )


def split_model(spec: str) -> tuple[str, str]:
    """`provider:model` → (provider, model); a bare name, or an unknown prefix, is an OpenAI model name."""
    spec = spec.strip()
    head, sep, tail = spec.partition(":")
    if sep and tail and head.replace("-", "_").lower() in _known_providers():
        return head.replace("-", "_").lower(), tail
    return DEFAULT_PROVIDER, spec


def _number(env: Mapping[str, str], name: str, default: float, *, minimum: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum:g}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything a chat model needs. `role` picks the model: the interviewer or the judge."""

    provider: str = DEFAULT_PROVIDER
    model: str = DEFAULT_MODEL
    api_key: str | None = None
    base_url: str | None = None
    timeout: float = 60.0
    retries: int = 2  # extra attempts after the first, for failures worth retrying
    max_tokens: int = 400
    temperature: float = 0.7
    context_tokens: int | None = None  # override of the model table's context window

    @property
    def engine_name(self) -> str:
        """What the scorecard's `engine` field says, e.g. `openai:gpt-4o-mini`."""
        return f"{self.provider}:{self.model}"

    def with_model(self, spec: str | None) -> Settings:
        if not spec:
            return self
        provider, model = split_model(spec)
        return replace(self, provider=provider, model=model)

    @classmethod
    def from_env(
        cls, role: str = "interviewer", *, model: str | None = None, env: Mapping[str, str] | None = None
    ) -> Settings:
        """The judge falls back to the interviewer's model, then to the default; `model` wins over both."""
        env = os.environ if env is None else env
        if role == "judge":
            spec = model or env.get(ENV_JUDGE_MODEL) or env.get(ENV_MODEL) or DEFAULT_MODEL
        else:
            spec = model or env.get(ENV_MODEL) or DEFAULT_MODEL
        provider, name = split_model(spec)
        base_url = (env.get("OPENAI_BASE_URL") or "").strip() or None
        api_key = (env.get("OPENAI_API_KEY") or "").strip() or None
        if api_key is None and base_url is not None:
            api_key = PLACEHOLDER_KEY
        judge = role == "judge"
        max_tokens_var = ENV_JUDGE_MAX_TOKENS if judge else ENV_MAX_TOKENS
        context = env.get(ENV_CONTEXT)
        return cls(
            provider=provider,
            model=name,
            api_key=api_key,
            base_url=base_url,
            timeout=_number(env, ENV_TIMEOUT, 60.0, minimum=0.1),
            retries=int(_number(env, ENV_RETRIES, 2, minimum=0)),
            max_tokens=int(_number(env, max_tokens_var, 800 if judge else 400, minimum=16)),
            temperature=0.0 if judge else 0.7,
            context_tokens=int(_number(env, ENV_CONTEXT, 0, minimum=512)) if context else None,
        )
