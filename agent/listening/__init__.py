"""The listener: what the candidate said, read once, for the session's moves and for every scorer.

    text -> units (sentences.py) -> learned heads (model.py) -> structure (reader.py) -> Reading
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from agent.listening import model
from agent.listening.reader import AskHit, DealBreakerHit, QuestionHit, Reading, TurnReading, listen, texts_to_embed

if TYPE_CHECKING:
    from agent.models import Transcript


def _spoken(transcript: Transcript) -> list:
    return [t for t in transcript.turns if getattr(t, "redo_of", None) is None]


def prepare(transcripts: Iterable[Transcript]) -> None:
    """Encode what a batch of transcripts will need in one call, so reading each finds it memoised: for a
    file of many transcripts, one encoder call per transcript was a fifth of the scoring time."""
    model.memoise([text for t in transcripts for text in texts_to_embed([(x.speaker, x.text) for x in _spoken(t)])])


def listen_transcript(transcript: Transcript, *, closing_start: int | None = None) -> Reading:
    """Read a whole transcript, using the `topic`/`move` tags its interviewer turns carry.

    Practice redos (turns carrying `redo_of`, appended after the interview) are left out: they never
    change the original interview's reading or scores. They come last, so every other index holds."""
    turns = _spoken(transcript)
    tags = [{"topic": getattr(t, "topic", None), "move": getattr(t, "move", None)} for t in turns]
    moves = [tag["move"] for tag in tags]
    if closing_start is None and any(moves):
        # The product's own transcript says where the closing phase began (if it did): no guessing from text.
        closing_start = next((i for i, m in enumerate(moves) if m == "invite_questions"), len(moves))
    return listen([(t.speaker, t.text) for t in turns], tags=tags, closing_start=closing_start)


__all__ = [
    "AskHit", "DealBreakerHit", "QuestionHit", "Reading", "TurnReading", "listen", "listen_transcript", "prepare",
]
