"""The listener: what the candidate said, read once, for the session's moves and for every scorer.

    text -> units (sentences.py) -> learned heads (model.py) -> structure (reader.py) -> Reading
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.listening.reader import AskHit, DealBreakerHit, QuestionHit, Reading, TurnReading, listen

if TYPE_CHECKING:
    from agent.models import Transcript


def listen_transcript(transcript: Transcript, *, closing_start: int | None = None) -> Reading:
    """Read a whole transcript, using the `topic`/`move` tags its interviewer turns carry."""
    tags = [{"topic": getattr(t, "topic", None), "move": getattr(t, "move", None)} for t in transcript.turns]
    return listen([(t.speaker, t.text) for t in transcript.turns], tags=tags, closing_start=closing_start)


__all__ = ["AskHit", "DealBreakerHit", "QuestionHit", "Reading", "TurnReading", "listen", "listen_transcript"]
