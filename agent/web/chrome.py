"""The page's wording where Chainlit's own does not fit this product (its en-US translation, overridden).

Chainlit reads the page's strings from `.chainlit/translations/<language>.json` in the app root. At start
the app writes `en-US.json` as Chainlit's own with a few lines changed: the footer says what actually
happens to the candidate's words (offline: nothing leaves the machine) instead of "LLMs can make
mistakes"; the settings panel speaks of the interview; steps drop "Used"; and a new chat no longer warns
that history will be cleared (it is kept). Other languages keep Chainlit's wording.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LANGUAGE = "en-US"


def overrides(is_llm: bool) -> dict[str, str]:
    return {
        "chat.watermark": (
            "A language model plays the interviewer and the judge: it can be wrong, so check the quotes."
            if is_llm
            else "Offline practice: nothing you type leaves this machine."
        ),
        "chat.messages.status.used": "",
        "chat.messages.status.using": "Preparing",
        "chat.settings.title": "Interview settings",
        "chat.settings.customize": "Company, role and job description for your interviews; kept until you change them.",
        "navigation.newChat.dialog.title": "New interview",
        "navigation.newChat.dialog.description": "Start a new interview? This one stays in your history.",
    }


def apply(translation: dict[str, Any], changes: dict[str, str]) -> dict[str, Any]:
    out = json.loads(json.dumps(translation))
    for dotted, value in changes.items():
        node = out
        *path, last = dotted.split(".")
        for key in path:
            node = node.setdefault(key, {})
        node[last] = value
    return out


def install(is_llm: bool | None = None) -> Path | None:
    """Write the app root's en-US translation with our lines; returns its path (None if it can't)."""
    import chainlit.config as cfg

    from agent.web.settings import engine_info

    llm = engine_info().is_llm if is_llm is None else is_llm
    try:
        source = Path(cfg.TRANSLATIONS_DIR) / f"{LANGUAGE}.json"
        target = Path(cfg.config_translation_dir) / f"{LANGUAGE}.json"
        wanted = apply(json.loads(source.read_text(encoding="utf-8")), overrides(llm))
        text = json.dumps(wanted, indent=4, ensure_ascii=False)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return target
    except OSError as exc:
        log.warning("could not write the page's wording: %s", exc)
        return None
