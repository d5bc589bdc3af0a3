"""The LLM interviewer: the session decides each move, a chat model words it.

Same contract as the offline engine (agent.interview.Interviewer): `respond` and `astream` commit
the turn only once the wording succeeded, so any failure (after bounded retries) leaves the
session exactly as it was and the same turn can be asked for again. Failures surface as one
`LLMError` with a one-line message.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from agent.llm import interviewer_prompt, resilience
from agent.llm.config import Settings
from agent.llm.resilience import BrokenStream, InvalidOutput, LLMError, RetryPolicy, Unsupported
from agent.llm.tokens import Message, count
from agent.llm.usage import Call, Ledger, facts
from agent.llm.wording import StreamGuard, clean, one_question
from agent.plan import load_persona
from agent.session import InterviewSession, Move

SAFETY_MARGIN = 64  # tokens kept free: our count is tiktoken's, the server's tokenizer may differ


@dataclass
class LLMInterviewer:
    """Holds a chat model (built on first use), a retry policy and the ledger of what was spent."""

    settings: Settings
    model: Any = None  # a LangChain chat model; None until first use, or a fake handed in by tests
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    ledger: Ledger = field(init=False)
    # The latest requests sent (bounded: an app may keep one interviewer for many interviews).
    requests: deque[list[Message]] = field(default_factory=lambda: deque(maxlen=64))

    def __post_init__(self) -> None:
        self.ledger = Ledger(model=self.settings.model)
        self.policy.retries = self.settings.retries
        self.policy.deadline = self.settings.timeout  # the whole call, not only each read

    @classmethod
    def from_env(cls, model: str | None = None) -> LLMInterviewer:
        return cls(Settings.from_env("interviewer", model=model))

    @property
    def engine_name(self) -> str:
        return self.settings.engine_name

    def _model(self) -> Any:
        if self.model is None:
            from agent.llm.models import chat_model

            self.model = chat_model(self.settings)
        return self.model

    # --- building the request -------------------------------------------------------------------
    def _budget(self) -> tuple[int, str]:
        f = facts(self.settings.model)
        context = self.settings.context_tokens or f.context
        return context - self.settings.max_tokens - SAFETY_MARGIN, f.encoding

    def _request(self, session: InterviewSession, move: Move) -> tuple[list[Message], int, str]:
        budget, encoding = self._budget()
        tag = interviewer_prompt.new_tag(session)
        try:
            messages, tokens = interviewer_prompt.fit(session, move, tag, budget, encoding)
        except ValueError as exc:
            raise LLMError(f"cannot word the next turn: {exc}", kind="context", retryable=False) from None
        self.requests.append(messages)
        return messages, tokens, encoding

    def _names(self, session: InterviewSession) -> tuple[str, ...]:
        persona = load_persona(session.state.persona)
        return (persona.name, persona.title, "Interviewer", persona.label)

    def _fallback_close(self, session: InterviewSession) -> str:
        from agent.plan import context_values
        from agent.prompts import fill

        persona = load_persona(session.state.persona)
        return fill(persona.closings[0], context_values(session.state.context, persona), source="persona")

    def _record(self, message: Any, prompt_tokens: int, text: str, encoding: str) -> None:
        from agent.llm.models import usage_of

        usage = usage_of(message) if message is not None else None
        if usage is None:
            self.ledger.add(Call("interviewer", prompt_tokens, prompt_tokens, count(text, encoding), reported=False))
        else:
            self.ledger.add(
                Call(
                    "interviewer",
                    prompt_tokens,
                    usage.input_tokens,
                    usage.output_tokens,
                    usage.cached_input_tokens,
                )
            )

    # --- the contract ---------------------------------------------------------------------------
    def respond(self, session: InterviewSession, move: Move | None = None) -> str:
        """Decide (unless given), word and commit the next interviewer turn."""
        from agent.llm.models import refusal_of, text_of, to_messages

        move = move or session.next_move()
        messages, tokens, encoding = self._request(session, move)
        closing = move.kind == "close"
        model = self._model()

        def attempt() -> tuple[Any, str]:
            reply = model.invoke(to_messages(messages))
            if refusal_of(reply):
                raise InvalidOutput(f"the model refused: {refusal_of(reply)}", kind="refusal")
            text = one_question(clean(text_of(reply), self._names(session)), allow_question=not closing)
            if not text and not closing:
                raise InvalidOutput("the model returned an empty turn", kind="invalid")
            return reply, text

        try:
            reply, text = resilience.call(attempt, self.policy, "the interviewer's turn")
        except Unsupported as exc:
            raise LLMError(f"the interviewer's turn failed: {exc}", kind="unsupported", retryable=False) from None
        if not text:
            text = self._fallback_close(session)
        self._record(reply, tokens, text, encoding)
        session.commit(move, text)
        return text

    async def astream(self, session: InterviewSession, move: Move | None = None) -> AsyncIterator[str]:
        """The same turn, yielded as the model produces it.

        Failures before anything was shown are retried; a stream that breaks after text was shown
        raises `LLMError` (the shown text should be discarded) and nothing is committed.
        """
        from agent.llm.models import finish_reason, refusal_of, text_of, to_messages

        move = move or session.next_move()
        messages, tokens, encoding = self._request(session, move)
        closing = move.kind == "close"
        model = self._model()
        names = self._names(session)
        attempt_no = 0
        while True:
            guard = StreamGuard(allow_question=not closing)
            full: Any = None
            started = False  # something was yielded to the caller
            head: str | None = ""  # the first characters, held until a speaker label can be stripped
            try:
                async for chunk in resilience.awithin(model.astream(to_messages(messages)), self.policy.deadline):
                    full = chunk if full is None else full + chunk
                    piece = text_of(chunk)
                    if head is not None:
                        head += piece
                        if len(head) < 40 and finish_reason(chunk) is None:
                            continue
                        piece, head = clean(head, names) + (" " if head[-1:].isspace() else ""), None
                    shown = guard.feed(piece)
                    if shown:
                        started = True
                        yield shown
                if full is None:
                    raise BrokenStream("empty stream")
                if head:
                    shown = guard.feed(clean(head, names))
                    if shown:
                        started = True
                        yield shown
                if refusal_of(full):
                    raise InvalidOutput(f"the model refused: {refusal_of(full)}", kind="refusal")
                if finish_reason(full) is None and full.response_metadata.get("model_name"):
                    # An OpenAI-style server always ends a complete stream with a finish reason.
                    raise BrokenStream("the stream ended without a finish reason")
                rest = guard.finish()
                if rest:
                    yield rest
                text = guard.text
                if not text and not closing:
                    raise InvalidOutput("the model returned an empty turn", kind="invalid")
                break
            except Exception as exc:
                failure = resilience.classify(exc)
                if started:
                    raise resilience.wrap(exc, "the interviewer's turn (shown text is incomplete)") from None
                if failure.kind == "unsupported":
                    raise LLMError(
                        f"the interviewer's turn failed: {failure.message}",
                        kind="unsupported",
                        retryable=False,
                    ) from None
                await self.policy.asleep(
                    resilience.next_wait(self.policy, attempt_no, failure, "the interviewer's turn")
                )
                attempt_no += 1
        if not text:
            text = self._fallback_close(session)
            yield text
        self._record(full, tokens, text, encoding)
        session.commit(move, text)
