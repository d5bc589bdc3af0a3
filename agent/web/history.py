"""Scores over time: one row per scored interview in `interview_scores`, read back per user.

Rows join the Chainlit `threads` table, so deleting a conversation from the sidebar also drops it
from the progress chart, and a user can only ever read rows of threads they own.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from agent.models import Scorecard, Transcript
from agent.web.persistence import interview_scores, threads

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


def score_row(card: Scorecard, transcript: Transcript, *, thread_id: str, user: str, when: str | None = None) -> dict:
    ctx = transcript.context
    c = card.criteria
    return {
        "id": str(uuid.uuid4()),
        "threadId": thread_id,
        "userIdentifier": user,
        "createdAt": when or datetime.now(timezone.utc).isoformat(),
        "persona": transcript.persona,
        "company": ctx.company if ctx else None,
        "role": ctx.role if ctx else None,
        "engine": card.engine,
        "humility": c.humility.score,
        "curiosity": c.curiosity.score,
        "askedForJob": c.asked_for_job.score,
        "outcome": c.asked_for_job.outcome,
        "dealBreakers": len(card.deal_breakers),
        "complete": card.complete is not False,
    }


async def record(engine: AsyncEngine, row: dict) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(interview_scores).values(**row))


async def has_score(engine: AsyncEngine, thread_id: str) -> bool:
    query = select(interview_scores.c.id).where(interview_scores.c.threadId == thread_id).limit(1)
    async with engine.connect() as conn:
        return (await conn.execute(query)).first() is not None


async def progress(engine: AsyncEngine, user: str, limit: int = 200) -> list[dict]:
    """The user's scored interviews, oldest first (the last `limit` of them)."""
    query = (
        select(interview_scores)
        .join(threads, threads.c.id == interview_scores.c.threadId)
        .where(interview_scores.c.userIdentifier == user, threads.c.userIdentifier == user)
        .order_by(interview_scores.c.createdAt.desc())
        .limit(limit)
    )
    async with engine.connect() as conn:
        rows = [dict(r._mapping) for r in (await conn.execute(query)).fetchall()]
    return list(reversed(rows))
