"""Settings that stay: each user's last company, industry, role, job description, length and persona.

Kept in a table of its own (`user_preferences`, one JSON row per user, created with the app's other
tables by `persistence.ensure_schema` because it lives on the same `metadata`). A new chat starts from
them, the persona they last used is the chat profile selected by default, and they change only when the
user changes them.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Table, Text, select

from agent.web.persistence import metadata, upsert

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

KEYS = ("company", "industry", "role", "job_description", "length", "model", "persona")
MAX_TEXT = 4000

user_preferences = Table(
    "user_preferences",
    metadata,
    Column("userIdentifier", Text, primary_key=True),
    Column("data", Text, nullable=False),
    Column("updatedAt", Text),
)


def clean(values: dict[str, Any] | None) -> dict[str, Any]:
    """Only the keys we keep, as plain JSON values (text trimmed, length a whole number)."""
    out: dict[str, Any] = {}
    for key in KEYS:
        value = (values or {}).get(key)
        if value is None:
            continue
        if key == "length":
            try:
                out[key] = int(float(value))
            except (TypeError, ValueError):
                continue
        else:
            out[key] = str(value)[:MAX_TEXT]
    return out


async def load(engine: AsyncEngine, user: str) -> dict[str, Any]:
    query = select(user_preferences.c.data).where(user_preferences.c.userIdentifier == user)
    async with engine.connect() as conn:
        row = (await conn.execute(query)).first()
    if row is None:
        return {}
    try:
        return clean(json.loads(row[0]))
    except (ValueError, TypeError):
        return {}


async def save(engine: AsyncEngine, user: str, values: dict[str, Any]) -> dict[str, Any]:
    """Merge `values` into the user's stored preferences; returns what is stored now."""
    merged = {**await load(engine, user), **clean(values)}
    row = {"userIdentifier": user, "data": json.dumps(merged), "updatedAt": datetime.now(timezone.utc).isoformat()}
    await upsert(engine, user_preferences, row, key="userIdentifier")  # two tabs saving at once: no collision
    return merged


def _engine_and_user() -> tuple[Any, str] | None:
    import chainlit as cl
    from chainlit.context import ChainlitContextException
    from chainlit.data import get_data_layer

    try:
        user = cl.context.session.user
    except ChainlitContextException:
        return None
    layer = get_data_layer()
    if not (layer and user and hasattr(layer, "engine")):
        return None
    return layer.engine, user.identifier


async def current(user: Any = None) -> dict[str, Any]:
    """The signed-in user's preferences ({} without a data layer or a user; never raises)."""
    from chainlit.data import get_data_layer

    try:
        if user is not None:
            layer = get_data_layer()
            if not (layer and hasattr(layer, "engine")):
                return {}
            return await load(layer.engine, user.identifier)
        where = _engine_and_user()
        return await load(*where) if where else {}
    except Exception:
        log.exception("could not read the user's preferences")
        return {}


async def remember(values: dict[str, Any]) -> bool:
    """Store the signed-in user's new preferences; False when there is nowhere to keep them."""
    where = _engine_and_user()
    if not where:
        return False
    try:
        await save(where[0], where[1], values)
    except Exception as exc:
        from agent.web import saving

        log.exception("could not save the user's preferences")
        await saving.save_failed("your settings", exc)
        return False
    return True
