"""Simulated candidates played by a model, for self-play with the LLM engine. The offline engine plays
the same characters from their scripts (`SimulatedCandidate.reply`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.evals.suites import SimulatedCandidate
from agent.models import Transcript
from agent.prompts import load_template


@dataclass
class ModelCandidate:
    """The character of `script`, voiced by a chat model; the conversation so far goes in as chat turns
    (the interviewer as the user, the candidate as the assistant)."""

    script: SimulatedCandidate
    model: Any = None
    transcript: list[tuple[str, str]] = field(default_factory=list)

    def _chat(self) -> Any:
        if self.model is None:
            from agent.llm.config import Settings
            from agent.llm.models import chat_model

            self.model = chat_model(Settings.from_env("interviewer"))
        return self.model

    def reply(self, conversation: Transcript) -> str:
        from agent.llm.models import text_of, to_messages

        examples = " / ".join([*self.script.answers[:2], *self.script.questions[:1], self.script.closing])
        system = load_template("evals/simulated_candidate").render(brief=self.script.brief, examples=examples)
        messages = [("system", system)]
        for turn in conversation.turns:
            messages.append(("user" if turn.speaker == "interviewer" else "assistant", turn.text))
        answer = self._chat().invoke(to_messages(messages))
        text = " ".join(text_of(answer).split())
        return text or self.script.closing
