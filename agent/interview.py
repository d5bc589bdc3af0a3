"""A conversation: a session plus the engine that words its moves. Front ends (CLI, Chainlit,
eval self-play) drive interviews through this and nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from agent.models import Context, Transcript
from agent.plan import context_values, load_persona
from agent.session import InterviewSession, Move


class Interviewer(Protocol):
    engine_name: str

    def respond(self, session: InterviewSession, move: Move | None = None) -> str:
        """Decide (unless given), word and commit the next interviewer turn; return its text."""
        ...

    def astream(self, session: InterviewSession, move: Move | None = None) -> AsyncIterator[str]:
        """The same, yielding the text in chunks as it is produced; commits when the stream ends.
        If it fails half-way nothing is committed and the turn can be asked for again."""
        ...


class Conversation:
    def __init__(self, session: InterviewSession, interviewer: Interviewer):
        self.session = session
        self.interviewer = interviewer

    @classmethod
    def start(
        cls,
        persona: str,
        context: Context | None,
        interviewer: Interviewer,
        *,
        seed: int = 0,
        length: int = 6,
    ) -> Conversation:
        convo = cls(InterviewSession.new(persona, context, seed=seed, length=length), interviewer)
        interviewer.respond(convo.session)
        return convo

    @property
    def closed(self) -> bool:
        return self.session.closed

    def reply(self, text: str) -> str:
        """The candidate speaks; the interviewer answers. If wording fails, the candidate's turn is kept
        and `retry()` asks again."""
        self.session.add_candidate(text)
        return self.interviewer.respond(self.session)

    def retry(self) -> str:
        return self.interviewer.respond(self.session)

    def end(self) -> str:
        """End now, politely, whatever the stage."""
        return self.interviewer.respond(self.session, self.session.end_move())

    def last_interviewer_text(self) -> str:
        texts = self.session.interviewer_texts()
        return texts[-1] if texts else ""

    def transcript(self) -> Transcript:
        return self.session.transcript()

    def speaker_label(self) -> str:
        persona = load_persona(self.session.state.persona)
        return f"{persona.name} ({persona.title})"

    def banner(self) -> str:
        persona = load_persona(self.session.state.persona)
        values = context_values(self.session.state.context)
        return (
            f"Mock interview: {values['role']} at {values['company']} ({values['industry']})\n"
            f"Your interviewer: {persona.name}, {persona.title}. {persona.description}\n"
            "Answer each question on one line. Type /end to finish early and get your scorecard."
        )
