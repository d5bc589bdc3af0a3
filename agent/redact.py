"""Keeping keys out of error messages and logs.

A model server's error body can echo the request, Authorization header included; an exception's text
can carry a URL with a token. `redact` removes the configured keys (the values of OPENAI_API_KEY and
other `*_API_KEY`/`*_TOKEN`/`*_SECRET` variables) and anything shaped like a key (`sk-...`, a Bearer
or Basic credential, `api_key=...`). The LLM error path runs every message through it, the CLI runs
every stderr line through it, and `install_log_redaction` makes every log record pass through it.
"""

from __future__ import annotations

import logging
import os
import re
import threading

MASK = "[redacted]"
_MIN_SECRET = 8  # shorter values are not worth hiding (and would mangle ordinary words)
_SECRET_VARS = re.compile(r"(API_?KEY|_TOKEN|_SECRET|PASSWORD|_PASS)$|^OPENAI_API_KEY$", re.I)
_NOT_SECRET = {"not-needed-for-local-servers"}

_SHAPES = re.compile(
    r"""
      \bsk-[A-Za-z0-9_\-]{12,}                                          # OpenAI / Anthropic style keys
    | \b(?:Bearer|Basic)\s+(?=[A-Za-z._~+/=\-]*[0-9])[A-Za-z0-9._~+/=\-]{8,}  # an Authorization value
    | \b(?:gh[pousr]_|github_pat_|hf_|xox[abprs]-|AIza)[A-Za-z0-9_\-]{16,}  # other well-known token shapes
    """,
    re.X,
)
# `"api_key": "..."`, `Authorization: ...`, `?api-key=...` and the like: keep the name, hide the value.
_NAMED = re.compile(
    r"""(?P<name>(?:api[_-]?key|x-api-key|authorization|access[_-]?token|secret|password)["']?\s*[:=]\s*["']?)
        (?P<value>(?:Bearer\s+|Basic\s+)?[^\s"',;&}]{6,})""",
    re.I | re.X,
)


def _configured() -> list[str]:
    values = {
        v.strip()
        for k, v in os.environ.items()
        if v and _SECRET_VARS.search(k) and len(v.strip()) >= _MIN_SECRET and v.strip() not in _NOT_SECRET
    }
    return sorted(values, key=len, reverse=True)  # longest first, so a key containing another goes whole


def redact(text: str) -> str:
    """`text` with every configured key and every key-shaped string replaced by [redacted]."""
    if not text:
        return text
    for secret in _configured():
        if secret in text:
            text = text.replace(secret, MASK)
    text = _NAMED.sub(lambda m: m.group("name") + MASK if m.group("value") != MASK else m.group(0), text)
    return _SHAPES.sub(MASK, text)


_installed = False
_install_lock = threading.Lock()


class RedactingFilter(logging.Filter):
    """A handler filter for handlers set up outside our control (the record factory covers the rest)."""

    def filter(self, record: logging.LogRecord) -> bool:
        _scrub(record)
        return True


def _scrub(record: logging.LogRecord) -> None:
    if getattr(record, "_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to logging's own error report
        return
    record.msg, record.args = redact(message), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._redacted = True


def install_log_redaction() -> None:
    """From now on every log record of this process, from any library, is redacted before any handler
    sees it. Idempotent; the CLI and the app call it at start."""
    global _installed
    with _install_lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _scrub(record)
            return record

        logging.setLogRecordFactory(factory)
        flt = RedactingFilter()
        for handler in [*logging.getLogger().handlers, logging.lastResort]:
            if handler is not None:
                handler.addFilter(flt)
        _installed = True
