"""The interview as a state machine: opening, the plan's topics with follow-ups, the candidate's
questions, the close. One interviewer move per candidate message.

The session decides *what* the interviewer does next (a `Move`); an engine decides *how to say it*
(offline: lines from `prompts/`; LLM: a model call). Splitting the two means a failed model call
changes nothing: the same move can be phrased again, and the transcript stays intact. The state is
plain JSON so a session can be saved and resumed exactly (Chainlit thread metadata, files).
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, Field

from agent import analysis
from agent.models import TOPICS, Context, PersonaId, Transcript, Turn
from agent.plan import load_persona

Stage = Literal["opening", "plan", "questions", "closed"]
MoveKind = Literal[
    "opening", "question", "follow_up", "pushback", "redirect", "grant", "invite", "answer", "close"
]

DEFAULT_LENGTH = len(TOPICS)
MAX_CANDIDATE_QUESTIONS = 3
MAX_FOLLOW_UPS_PER_TOPIC = 1


class SessionError(Exception):
    """A call that doesn't fit the session's state (e.g. a message after the close)."""


class Move(BaseModel):
    """What the interviewer does next, before anyone has worded it."""

    kind: MoveKind
    topic: str | None = None
    reason: str | None = None  # deal-breaker kind, "thin", "evasive", "job_ask", "end_now", "time"
    answer_to: str | None = None  # the candidate's question this turn answers first
    quote: str | None = None  # what the candidate said that triggered a follow-up


class SessionState(BaseModel):
    persona: PersonaId
    context: Context = Field(default_factory=Context)
    seed: int = 0
    length: int = Field(default=DEFAULT_LENGTH, ge=1, le=len(TOPICS))
    stage: Stage = "opening"
    turns: list[Turn] = Field(default_factory=list)
    topic_queue: list[str] = Field(default_factory=list)
    current_topic: str | None = None
    follow_ups_on_topic: int = 0
    pushed_back: list[str] = Field(default_factory=list)
    questions_answered: int = 0
    used_lines: list[str] = Field(default_factory=list)
    moves: list[Move] = Field(default_factory=list)


class InterviewSession:
    """Holds the state; every change goes through `commit` or `add_candidate`."""

    def __init__(self, state: SessionState):
        self.state = state

    @classmethod
    def new(
        cls,
        persona: str,
        context: Context | None = None,
        *,
        seed: int = 0,
        length: int = DEFAULT_LENGTH,
    ) -> InterviewSession:
        focus = load_persona(persona).focus
        state = SessionState(
            persona=persona,  # type: ignore[arg-type]
            context=context or Context(),
            seed=seed,
            length=length,
            topic_queue=list(focus[:length]),
        )
        return cls(state)

    # --- persistence ---------------------------------------------------------------------------
    def to_json(self) -> str:
        return self.state.model_dump_json()

    def to_dict(self) -> dict:
        return self.state.model_dump(mode="json")

    @classmethod
    def from_json(cls, data: str | dict) -> InterviewSession:
        raw = json.loads(data) if isinstance(data, str) else data
        return cls(SessionState.model_validate(raw))

    # --- reading -------------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self.state.stage == "closed"

    @property
    def awaiting_interviewer(self) -> bool:
        turns = self.state.turns
        return not self.closed and (not turns or turns[-1].speaker == "candidate")

    def transcript(self) -> Transcript:
        return Transcript(persona=self.state.persona, context=self.state.context, turns=list(self.state.turns))

    def interviewer_texts(self) -> list[str]:
        return [t.text for t in self.state.turns if t.speaker == "interviewer"]

    def raised_topics(self) -> list[str]:
        seen: list[str] = []
        for move in self.state.moves:
            if move.kind in ("opening", "question") and move.topic and move.topic not in seen:
                seen.append(move.topic)
        return seen

    # --- deciding ------------------------------------------------------------------------------
    def next_move(self) -> Move:
        """The interviewer's next move for the current state. Pure: calling it twice gives the same move."""
        st = self.state
        if st.stage == "closed":
            raise SessionError("the interview is over")
        if not st.turns:
            return Move(kind="opening", topic=st.topic_queue[0] if st.topic_queue else None)
        if st.turns[-1].speaker != "candidate":
            raise SessionError("waiting for the candidate's reply")
        last_index = len(st.turns) - 1
        invite_at = next((turn for turn, m in self._move_turns() if m.kind == "invite"), None)
        closing_start = invite_at if invite_at is not None else len(st.turns) + 1
        reading = analysis.read(
            [(t.speaker, t.text) for t in st.turns], company=st.context.company, closing_start=closing_start
        )
        sig = reading.signals[last_index]
        question = self._candidate_question(reading, last_index)

        if st.stage == "questions":
            if sig.ask_strong or sig.ask_tentative:
                return Move(kind="close", reason="job_ask", answer_to=question)
            if question and st.questions_answered < MAX_CANDIDATE_QUESTIONS:
                return Move(kind="answer", answer_to=question)
            return Move(kind="close", answer_to=question)

        hits = [d for d in reading.deal_breakers if d.turn == last_index and d.kind not in st.pushed_back]
        if hits:
            hit = hits[0]
            kind: MoveKind = "redirect" if hit.kind == "closed_too_soon" else "pushback"
            return Move(kind=kind, topic=st.current_topic, reason=hit.kind, quote=reading.quote(hit.turn, hit.span))
        if sig.permission and not any(s > sig.permission[0][0] for s, _ in sig.criticized + sig.told_how):
            # "May I share an observation?": a real interviewer says yes and listens.
            return Move(kind="grant", topic=st.current_topic)
        if st.follow_ups_on_topic < MAX_FOLLOW_UPS_PER_TOPIC and st.current_topic and not question:
            from agent.signals import is_thin

            if sig.evasive and sig.words < 60:
                return Move(kind="follow_up", topic=st.current_topic, reason="evasive")
            if is_thin(sig):
                return Move(kind="follow_up", topic=st.current_topic, reason="thin")
        if st.topic_queue:
            return Move(kind="question", topic=st.topic_queue[0], answer_to=question)
        return Move(kind="invite", answer_to=question)

    def end_move(self) -> Move:
        """The move for "end now": a polite close whatever the stage."""
        if self.closed:
            raise SessionError("the interview is over")
        return Move(kind="close", reason="end_now")

    def _move_turns(self) -> list[tuple[int, Move]]:
        indexes = [i for i, t in enumerate(self.state.turns) if t.speaker == "interviewer"]
        return list(zip(indexes, self.state.moves, strict=False))

    @staticmethod
    def _candidate_question(reading: analysis.Reading, turn: int) -> str | None:
        """The candidate's last real question in this turn (not a permission request or a job ask)."""
        asked = [
            span for t, span, kind in reading.question_kinds if t == turn and kind not in ("permission", "job_ask")
        ]
        return reading.quote(turn, asked[-1]) if asked else None

    # --- changing ------------------------------------------------------------------------------
    def commit(self, move: Move, text: str, line_ids: list[str] | None = None) -> Turn:
        """Record the interviewer's worded move and advance the stage."""
        st = self.state
        if st.stage == "closed":
            raise SessionError("the interview is over")
        if move.kind != "close" and st.turns and st.turns[-1].speaker != "candidate":
            raise SessionError("the interviewer has already spoken; waiting for the candidate")
        turn = Turn(speaker="interviewer", text=text)
        if move.topic and move.kind in ("opening", "question", "follow_up", "pushback", "redirect", "grant"):
            turn.topic = move.topic  # type: ignore[attr-defined]
        st.turns.append(turn)
        st.moves.append(move)
        st.used_lines.extend(line_ids or [])
        if move.kind in ("opening", "question"):
            if move.topic in st.topic_queue:
                st.topic_queue.remove(move.topic)
            st.current_topic = move.topic
            st.follow_ups_on_topic = 0
            st.stage = "plan"
        elif move.kind == "follow_up":
            st.follow_ups_on_topic += 1
        elif move.kind in ("pushback", "redirect"):
            if move.reason:
                st.pushed_back.append(move.reason)
        elif move.kind == "invite":
            st.stage = "questions"
            st.current_topic = None
        elif move.kind == "answer":
            st.questions_answered += 1
        if move.kind == "close":
            st.stage = "closed"
        return turn

    def add_candidate(self, text: str) -> Turn:
        st = self.state
        if st.stage == "closed":
            raise SessionError("the interview is over")
        if not st.turns or st.turns[-1].speaker != "interviewer":
            raise SessionError("the interviewer speaks first; waiting for the interviewer's turn")
        turn = Turn(speaker="candidate", text=text)
        st.turns.append(turn)
        return turn
