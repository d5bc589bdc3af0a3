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

from agent.listening import Reading, listen
from agent.listening.labels import QUESTION_LABELS
from agent.models import TOPICS, Context, PersonaId, Transcript, Turn
from agent.plan import load_persona

Stage = Literal["opening", "plan", "questions", "closed"]
MoveKind = Literal[
    "opening", "question", "follow_up", "pushback", "redirect", "grant", "invite", "answer", "last_call", "close"
]
# The name a move goes by in the transcript (`move` on interviewer turns, transcript.schema.json).
MOVE_NAMES = {
    "grant": "grant_permission",
    "invite": "invite_questions",
    "answer": "answer_question",
}

DEFAULT_LENGTH = len(TOPICS)
MAX_CANDIDATE_QUESTIONS = 3
MAX_FOLLOW_UPS_PER_TOPIC = 1
MAX_GRANTS = 2  # a third "may I share something?" is answered as an answer; each persona has this many yes-lines


class SessionError(Exception):
    """A call that doesn't fit the session's state (e.g. a message after the close)."""


class Move(BaseModel):
    """What the interviewer does next, before anyone has worded it."""

    kind: MoveKind
    topic: str | None = None
    reason: str | None = None  # deal-breaker kind, "thin", "evasive", "job_ask", "end_now", "time"
    relation: str | None = None  # how the answer just given met its question (answered / thin / dodged)
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
    last_call_given: bool = False


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
        reading = self.reading()
        last = reading.turns[last_index]
        question = self._candidate_question(reading, last_index)

        if st.stage == "questions":
            if last.has("job_ask") or last.has("job_ask_tentative"):
                return Move(kind="close", reason="job_ask", answer_to=question)
            if question and st.questions_answered < MAX_CANDIDATE_QUESTIONS:
                return Move(kind="answer", answer_to=question)
            if not question and not st.last_call_given:
                # Before closing, one plain chance to ask anything else, or to ask for the next step.
                return Move(kind="last_call")
            return Move(kind="close", answer_to=question)

        hits = [d for d in reading.deal_breakers if d.turn == last_index and d.kind not in st.pushed_back]
        if hits:
            hit = hits[0]
            kind: MoveKind = "redirect" if hit.kind == "closed_too_soon" else "pushback"
            return Move(kind=kind, topic=st.current_topic, reason=hit.kind, quote=reading.quote(hit.turn, hit.span))
        permission = last.spans("permission")
        critique = last.spans("directs") + last.spans("criticizes")
        granted_last = bool(st.moves) and st.moves[-1].kind == "grant"
        may_grant = not granted_last and sum(m.kind == "grant" for m in st.moves) < MAX_GRANTS
        if permission and may_grant and not any(s[0] > permission[0][0] for s in critique):
            # "May I share an observation?": a real interviewer says yes and listens.
            return Move(kind="grant", topic=st.current_topic)
        relation = last.relation
        if st.follow_ups_on_topic < MAX_FOLLOW_UPS_PER_TOPIC and st.current_topic and not question:
            if relation == "dodged":
                return Move(kind="follow_up", topic=st.current_topic, reason="evasive", relation=relation)
            if relation == "thin":
                return Move(kind="follow_up", topic=st.current_topic, reason="thin", relation=relation)
        if st.topic_queue:
            return Move(kind="question", topic=st.topic_queue[0], answer_to=question, relation=relation)
        return Move(kind="invite", answer_to=question, relation=relation)

    def reading(self) -> Reading:
        """The listener's reading of the conversation so far, with the stage the session knows it is in."""
        st = self.state
        invite_at = next((turn for turn, m in self._move_turns() if m.kind == "invite"), None)
        tags = [{"topic": getattr(t, "topic", None), "move": getattr(t, "move", None)} for t in st.turns]
        return listen(
            [(t.speaker, t.text) for t in st.turns],
            tags=tags,
            closing_start=invite_at if invite_at is not None else len(st.turns) + 1,
        )

    def end_move(self) -> Move:
        """The move for "end now": a polite close whatever the stage."""
        if self.closed:
            raise SessionError("the interview is over")
        return Move(kind="close", reason="end_now")

    def _move_turns(self) -> list[tuple[int, Move]]:
        indexes = [i for i, t in enumerate(self.state.turns) if t.speaker == "interviewer"]
        return list(zip(indexes, self.state.moves, strict=False))

    @staticmethod
    def _candidate_question(reading: Reading, turn: int) -> str | None:
        """The candidate's last real question in this turn, as the listener heard it (a statement is none)."""
        t = reading.turns[turn]
        asked = [u.span for u in t.units if not u.has("grader") and any(u.has(k) for k in QUESTION_LABELS)]
        return reading.quote(turn, asked[-1]) if asked else None

    # --- changing ------------------------------------------------------------------------------
    def commit(self, move: Move, text: str, line_ids: list[str] | None = None) -> Turn:
        """Record the interviewer's worded move and advance the stage."""
        st = self.state
        if st.stage == "closed":
            raise SessionError("the interview is over")
        if move.kind != "close" and st.turns and st.turns[-1].speaker != "candidate":
            raise SessionError("the interviewer has already spoken; waiting for the candidate")
        turn = Turn(speaker="interviewer", text=text, move=move_name(move))
        if move.topic and move.kind in ("opening", "question", "follow_up", "pushback", "redirect", "grant"):
            turn.topic = move.topic
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
        elif move.kind == "last_call":
            st.last_call_given = True
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


def move_name(move: Move) -> str:
    """What the transcript calls a move: a dodge probed is `probe_dodge`, an early end `end_early`."""
    if move.kind == "follow_up" and move.reason == "evasive":
        return "probe_dodge"
    if move.kind == "close" and move.reason == "end_now":
        return "end_early"
    return MOVE_NAMES.get(move.kind, move.kind)
