"""The one module that talks to LangChain's model layer and, through it, to openai.

Everything else in the engine works with plain `(role, content)` tuples and receives a chat model
from here, so a test can hand in a scripted fake and production hands in `init_chat_model(...)`.
Clients are built on first use: importing this module needs no key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, AnyMessage, HumanMessage, SystemMessage

from agent.llm.config import ConfigError, Settings

_FIXED_TEMPERATURE = re.compile(r"^(o\d|gpt-5)")


def _is_openai_host(base_url: str | None) -> bool:
    return not base_url or (urlparse(base_url).hostname or "").endswith("openai.com")


def chat_model(settings: Settings, *, streaming: bool = False) -> BaseChatModel:
    """A chat model for these settings through `init_chat_model`, retries left to our own loop."""
    from langchain.chat_models import init_chat_model

    kwargs: dict[str, Any] = {
        "max_tokens": settings.max_tokens,
        "timeout": settings.timeout,
        "max_retries": 0,  # agent.llm.resilience retries, with backoff that honours Retry-After
    }
    if not _FIXED_TEMPERATURE.match(settings.model):  # reasoning models reject any temperature but 1
        kwargs["temperature"] = settings.temperature
    if settings.provider == "openai":
        kwargs["api_key"] = settings.api_key
        if settings.base_url:
            kwargs["base_url"] = settings.base_url
        kwargs["stream_usage"] = True
        if not _is_openai_host(settings.base_url):
            # Many OpenAI-compatible servers (llama-cpp-python among them) only read the older name.
            kwargs["extra_body"] = {"max_tokens": settings.max_tokens}
    try:
        model: BaseChatModel = init_chat_model(settings.model, model_provider=settings.provider, **kwargs)
    except ImportError as exc:  # e.g. "anthropic:..." without langchain-anthropic installed
        raise ConfigError(
            f"the model '{settings.engine_name}' needs a LangChain package that is not installed ({exc})"
        ) from None
    return model


def to_messages(messages: Sequence[tuple[str, str]]) -> list[AnyMessage]:
    out: list[AnyMessage] = []
    for role, content in messages:
        if role == "system":
            out.append(SystemMessage(content=content))
        elif role == "assistant":
            out.append(AIMessage(content=content))
        else:
            out.append(HumanMessage(content=content))
    return out


def text_of(message: AIMessage | AIMessageChunk) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)


def refusal_of(message: AIMessage | AIMessageChunk) -> str | None:
    refusal = message.additional_kwargs.get("refusal")
    return str(refusal) if refusal else None


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int = 0


def usage_of(message: AIMessage | AIMessageChunk) -> Usage | None:
    meta = message.usage_metadata
    if not meta or (not meta.get("input_tokens") and not meta.get("output_tokens")):
        return None
    details = meta.get("input_token_details") or {}
    return Usage(
        input_tokens=int(meta.get("input_tokens") or 0),
        output_tokens=int(meta.get("output_tokens") or 0),
        cached_input_tokens=int(details.get("cache_read") or 0),
    )


def finish_reason(message: AIMessage | AIMessageChunk) -> str | None:
    reason = message.response_metadata.get("finish_reason")
    return str(reason) if reason else None


def structured(model: BaseChatModel, schema: type, method: str) -> Any:
    """`with_structured_output` returning {raw, parsed, parsing_error}: bad output is data, not a raise."""
    return model.with_structured_output(schema, method=method, include_raw=True)
