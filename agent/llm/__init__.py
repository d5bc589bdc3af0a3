"""The LLM engine: the interviewer and the judge on any chat model LangChain can build.

Importing this package is free: it needs no key, opens no connection and loads neither langchain
nor openai nor tiktoken. Those load in `agent.llm.models` and `agent.llm.tokens` on first use, so
`mock-interview score --engine offline` never pays for them.

Public names: `LLMInterviewer` (agent.llm.interviewer), `LLMScorer` (agent.llm.judge),
`LLMError` (agent.llm.resilience), `Settings` (agent.llm.config).
"""

from agent.llm.resilience import LLMError

__all__ = ["LLMError"]
