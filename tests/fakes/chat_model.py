"""A scripted chat model for tests that need no HTTP at all: LangChain's own fake, which streams."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage


def scripted(*replies: str) -> GenericFakeChatModel:
    """Replies in order, one per call; `invoke` returns the whole text, `astream` yields it in pieces."""
    return GenericFakeChatModel(
        messages=iter([AIMessage(content=r, response_metadata={"finish_reason": "stop"}) for r in replies])
    )
