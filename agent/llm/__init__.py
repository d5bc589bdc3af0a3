"""The LLM engine: the interviewer and the judge on any chat model LangChain can build.

Importing this package is cheap: it needs no key, opens no connection and loads neither langchain
nor openai nor tiktoken. Those load in `agent.llm.models` and `agent.llm.tokens` on first use, so
`mock-interview score --engine offline` never pays for them.

Loading the engine turns on log redaction for the process (agent.redact): whatever front end talks
to a model (the CLI, the app, the evals), no log line carries the configured key or a key-shaped
string, even when a server echoes the request back in an error.

Public names: `LLMInterviewer` (agent.llm.interviewer), `LLMScorer` (agent.llm.judge),
`LLMError` (agent.llm.resilience), `Settings` (agent.llm.config).
"""

from agent.llm.resilience import LLMError
from agent.redact import install_log_redaction

install_log_redaction()

__all__ = ["LLMError"]
