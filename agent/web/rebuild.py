"""Putting back a scorecard view a crash cut short.

Scoring stores the scorecard in the thread's metadata first, then its row in `interview_scores`, then
sends the scorecard message, whose step and files Chainlit saves in tasks of their own. A crash between
any two of these leaves the card stored but its view incomplete. On resume, `missing` compares what the
thread holds with what a scored thread shows, and `restore` rebuilds the rest from the stored card and
transcript: the progress row, the card message, and any of its chart and downloads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from agent.models import Scorecard
from agent.session import InterviewSession

log = logging.getLogger(__name__)

CARD_PREFIX = "## Your scorecard"
ELEMENT_NAMES = ("scores", "interview-report.md", "transcript.json", "scorecard.json")  # before issue 10


@dataclass
class Missing:
    card_step: str | None  # the stored card message's id, when it was stored
    elements: list[str] = field(default_factory=list)  # names missing from that message

    @property
    def nothing(self) -> bool:
        return self.card_step is not None and not self.elements


def card_step_id(steps: list[dict]) -> str | None:
    return next(
        (
            s["id"]
            for s in reversed(steps)
            if s.get("type") == "assistant_message" and str(s.get("output") or "").startswith(CARD_PREFIX)
        ),
        None,
    )


def missing(thread: dict, names: tuple[str, ...] | list[str] = ELEMENT_NAMES) -> Missing:
    """What of the scorecard view the stored thread lacks (`names`: the elements a card carries)."""
    step = card_step_id(thread.get("steps") or [])
    if step is None:
        return Missing(card_step=None, elements=list(names))
    have = {e.get("name") for e in thread.get("elements") or [] if e.get("forId") == step}
    return Missing(card_step=step, elements=[n for n in names if n not in have])


async def restore(thread: dict, session: InterviewSession, card_json: dict, *, actions: list[Any]) -> Missing:
    """Rebuild what `missing` finds; returns what it found. The After actions go on the card."""
    import chainlit as cl

    from agent.web import reports, room, views

    card = Scorecard.model_validate(card_json)
    gap = missing(thread, reports.file_names(session.transcript(), room.started_on()))
    await _ensure_progress_row(card, session, str(thread.get("id") or ""))
    if gap.card_step is None:
        log.info("resume: the scorecard message was lost; sending it again")
        await cl.Message(
            author=room.COACH,
            content=views.scorecard_markdown(card, session.transcript()),
            elements=room.scorecard_elements(card, session),
            actions=actions,
        ).send()
        from agent.web import practice

        await practice.show_review(card, session, room.COACH)
        return gap
    if gap.elements:
        log.info("resume: the scorecard lacked %s; sending them again", ", ".join(gap.elements))
        for element in room.scorecard_elements(card, session):
            if element.name in gap.elements:
                await element.send(for_id=gap.card_step)
    for action in actions:
        await action.send(for_id=gap.card_step)
    return gap


async def _ensure_progress_row(card: Scorecard, session: InterviewSession, thread_id: str) -> None:
    import chainlit as cl
    from chainlit.data import get_data_layer

    from agent.web import history

    layer = get_data_layer()
    user = cl.context.session.user
    if not (layer and user and thread_id and hasattr(layer, "engine")):
        return
    try:
        if await history.has_score(layer.engine, thread_id):
            return
        row = history.score_row(card, session.transcript(), thread_id=thread_id, user=user.identifier)
        await history.record(layer.engine, row)
    except Exception as exc:
        from agent.web import saving

        log.exception("could not restore the progress row")
        await saving.save_failed("the score", exc)
