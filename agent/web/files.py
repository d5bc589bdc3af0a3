"""Serves the charts and downloads saved by `persistence.LocalStorage` (a folder) or
`persistence.DatabaseStorage` (the database every worker shares), to their owner only.

Chainlit stores an element under `<user id>/<element id>/<name>` and, when a thread is resumed, hands
the browser the URL `LocalStorage.get_read_url` made. This route answers that URL after checking
the signed-in user owns the file. It is put ahead of Chainlit's catch-all page route, which would
otherwise answer every GET.

Ownership is decided on the resolved path, never on the raw key: a key is refused outright when any
segment is empty, `.` or `..`, or when the request spelled a separator or a dot in percent-encoding
(`%2f`, `%5c`, `%2e`: our own URLs never do); then the key is resolved (symlinks included) and the
result must lie inside the requesting user's own folder. In the database the same key checks apply and
the key's first segment, stored with the file, must be the requesting user's id.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import Any

from starlette.requests import Request

# Percent-encoded '/', '\', '.' and '%' (double encoding): `get_read_url` never produces them.
_ENCODED = re.compile(r"%(2f|5c|2e|25)", re.IGNORECASE)


class Refused(ValueError):
    """A key that can't name a saved file of this user."""


def owner_of(object_key: str) -> str:
    """The user id a well-formed key starts with (informative only: access is decided by `resolve_owned`)."""
    return object_key.split("/", 1)[0]


def check_key(key: str, raw: str = "") -> list[str]:
    """The key's segments, or `Refused` when it is not a plain `a/b/c` relative path.

    `raw` is the request path as sent (before percent-decoding), checked for encoded separators."""
    if raw and _ENCODED.search(raw):
        raise Refused("encoded separator or dot")
    if not key or "\\" in key or "\x00" in key or key.startswith("/"):
        raise Refused("not a relative key")
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise Refused("empty, '.' or '..' segment")
    return parts


def resolve_owned(root: Path, user_id: str, key: str, raw: str = "") -> Path:
    """The file `key` names under `root`, provided it lies inside `root/<user_id>/` once resolved."""
    parts = check_key(key, raw)
    if not user_id or user_id in (".", "..") or "/" in user_id or "\\" in user_id:
        raise Refused("no user folder")
    base = root.resolve()
    own = (base / user_id).resolve()
    if own.parent != base:
        raise Refused("user folder outside the storage folder")
    path = base.joinpath(*parts).resolve()
    if own not in path.parents:
        raise Refused("outside the user's folder")
    return path


def _attachment(name: str) -> str:
    from urllib.parse import quote

    ascii_name = re.sub(r'[^A-Za-z0-9._-]', "_", name) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=utf-8''{quote(name)}"


def mount(app: Any, storage: Any) -> None:
    from chainlit.auth import get_current_user
    from fastapi import Depends, HTTPException
    from fastapi.responses import FileResponse, Response

    async def serve_saved_file(
        key: str,
        request: Request,
        user: Any = Depends(get_current_user),  # noqa: B008
    ) -> Response:
        user_id = getattr(user, "id", None) if user is not None else None
        raw = request.scope.get("raw_path", b"").decode("latin-1")
        if hasattr(storage, "read_owned"):  # the database
            found = await storage.read_owned(str(user_id or ""), key, raw)
            if found is None:
                raise HTTPException(status_code=404, detail="Not found")
            data, mime = found
            name = key.rsplit("/", 1)[-1]
            return Response(
                content=data,
                media_type=mime,
                headers={"Content-Disposition": _attachment(name), "Cache-Control": "private, no-store"},
            )
        try:
            path = resolve_owned(storage.root, str(user_id or ""), key, raw)
        except Refused:
            raise HTTPException(status_code=404, detail="Not found") from None
        if not path.is_file():
            raise HTTPException(status_code=404, detail="Not found")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=mime, filename=path.name)

    route_path = f"{storage.url_prefix}/{{key:path}}"
    if any(getattr(r, "path", None) == route_path for r in app.router.routes):
        return
    app.add_api_route(route_path, serve_saved_file, methods=["GET"])
    app.router.routes.insert(0, app.router.routes.pop())
