"""Serves the charts and downloads saved by `persistence.LocalStorage`, to their owner only.

Chainlit stores an element under `<user id>/<element id>/<name>` and, when a thread is resumed, hands
the browser the URL `LocalStorage.get_read_url` made. This route answers that URL after checking
the signed-in user owns the key. It is put ahead of Chainlit's catch-all page route, which would
otherwise answer every GET.
"""

from __future__ import annotations

import mimetypes
from typing import Any


def owner_of(object_key: str) -> str:
    return object_key.split("/", 1)[0]


def mount(app: Any, storage: Any) -> None:
    from chainlit.auth import get_current_user
    from fastapi import Depends, HTTPException
    from fastapi.responses import FileResponse

    async def serve_saved_file(key: str, user: Any = Depends(get_current_user)) -> FileResponse:  # noqa: B008
        if user is None or getattr(user, "id", None) != owner_of(key):
            raise HTTPException(status_code=404, detail="Not found")
        try:
            path = storage.path_for(key)
        except ValueError:
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
