"""The listener: what the candidate said, read once, for the session's moves and for every scorer.

    text -> units (sentences.py) -> learned heads (model.py) -> structure (reader.py) -> Reading
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.listening.reader import AskHit, DealBreakerHit, QuestionHit, Reading, TurnReading, listen

if TYPE_CHECKING:
    from agent.models import Transcript


def listen_transcript(transcript: Transcript, *, closing_start: int | None = None) -> Reading:
    """Read a whole transcript, using the `topic`/`move` tags its interviewer turns carry.

    Practice redos (turns carrying `redo_of`, appended after the interview) are left out: they never
    change the original interview's reading or scores. They come last, so every other index holds."""
    turns = [t for t in transcript.turns if getattr(t, "redo_of", None) is None]
    tags = [{"topic": getattr(t, "topic", None), "move": getattr(t, "move", None)} for t in turns]
    moves = [tag["move"] for tag in tags]
    if closing_start is None and any(moves):
        # The product's own transcript says where the closing phase began (if it did): no guessing from text.
        closing_start = next((i for i, m in enumerate(moves) if m == "invite_questions"), len(moves))
    return listen([(t.speaker, t.text) for t in turns], tags=tags, closing_start=closing_start)


__all__ = ["AskHit", "DealBreakerHit", "QuestionHit", "Reading", "TurnReading", "listen", "listen_transcript"]
