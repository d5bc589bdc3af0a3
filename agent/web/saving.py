"""Telling the user when their interview is not being saved.

Chainlit's data layer logs a failed write and carries on, so a full disk or a read-only database would
go unnoticed: the interview looks normal and nothing is stored. Our data layer (`persistence`) and the
room report every failed save here; the first one in a chat tells the user, once, with their transcript
so far attached as a download (served from the session, not from the failing store).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import chainlit as cl
from chainlit.context import ChainlitContextException

log = logging.getLogger(__name__)

_WARNED: set[str] = set()

NOTICE = (
    "**Your interview is not being saved.** The app could not write to its store ({detail}), so this "
    "conversation may be missing from your history after you leave. You can carry on; download your "
    "transcript below (and the scorecard's downloads when it comes) to keep a copy."
)


def _detail(detail: Any) -> str:
    if isinstance(detail, BaseException):
        text = str(detail).splitlines()[0] if str(detail) else type(detail).__name__
    elif isinstance(detail, (list, tuple)):
        text = " ".join(str(d) for d in detail)
    else:
        text = str(detail)
    return text[:160]


def warned(session_id: str) -> bool:
    return session_id in _WARNED


async def save_failed(what: str, detail: Any) -> None:
    """A save of `what` failed; tell the current chat's user (once per chat). Never raises."""
    try:
        session = cl.context.session
    except ChainlitContextException:
        log.warning("could not save %s (no chat to tell): %s", what, _detail(detail))
        return
    log.warning("could not save %s for session %s: %s", what, session.id, _detail(detail))
    if session.id in _WARNED:
        return
    _WARNED.add(session.id)
    try:
        await cl.Message(
            author="Coach",
            content=NOTICE.format(detail=f"saving {what} failed"),
            elements=_transcript_so_far(),
        ).send()
    except Exception:
        log.exception("could not tell the user that saving failed")


def _transcript_so_far() -> list[Any]:
    from agent.session import InterviewSession
    from agent.web import room

    data = cl.user_session.get(room.INTERVIEW)
    if not data:
        return []
    session = InterviewSession.from_json(data)
    if not session.state.turns:  # nothing said yet: nothing to keep
        return []
    transcript = session.transcript()
    body = json.dumps(transcript.model_dump(mode="json", exclude_none=True), ensure_ascii=False, indent=2)
    return [
        cl.File(
            name="transcript-so-far.json",
            content=(body + "\n").encode("utf-8"),
            mime="application/json",
            display="inline",
        )
    ]
