"""Feedback (thumbs up/down on a message) is turned off: the product has no use for it.

Chainlit 2.12 shows the thumbs whenever history is on and has no setting to hide them, and its
`PUT`/`DELETE /feedback` routes do not check who owns the message. So: the page hides the buttons
(`public/mock-interview.css`), these routes, put ahead of Chainlit's, answer 404 to everyone, and the data
layer itself (`persistence`) writes or deletes feedback only for the signed-in owner of the message
(`acting_user`), refusing when it does not know who asks.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

ACTING_USER: contextvars.ContextVar[str | None] = contextvars.ContextVar("mock_interview_acting_user", default=None)


class NotYours(PermissionError):
    """Feedback on a message (or a feedback row) the requesting user does not own."""


@contextlib.contextmanager
def acting_user(identifier: str) -> Iterator[None]:
    """Feedback written inside this block is checked against `identifier`'s threads."""
    token = ACTING_USER.set(identifier)
    try:
        yield
    finally:
        ACTING_USER.reset(token)


def mount(app: Any) -> None:
    from fastapi.responses import JSONResponse

    async def feedback_is_off() -> JSONResponse:
        return JSONResponse({"detail": "Feedback is turned off."}, status_code=404)

    if any(getattr(r, "name", None) == "feedback_is_off" for r in app.router.routes):
        return
    app.add_api_route("/feedback", feedback_is_off, methods=["PUT", "DELETE"])
    app.router.routes.insert(0, app.router.routes.pop())
