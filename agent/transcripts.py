"""Reading transcripts from files and standard input, with one-line errors that name the place.

A bad line in a `.jsonl` batch is reported and skipped; the good lines are still scored.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from agent.models import Transcript


class InputError(Exception):
    """Bad input from the user: the message is one line, fit to print as it is."""


@dataclass
class Loaded:
    where: str  # "file" or "file:line"
    transcript: Transcript | None = None
    error: str | None = None


def describe_validation_error(exc: ValidationError) -> str:
    """The first schema problem, as `turns[2].speaker: Input should be 'interviewer' or 'candidate'`."""
    err = exc.errors()[0]
    loc = ""
    for part in err["loc"]:
        loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
    msg = err["msg"]
    if err["type"] == "missing":
        msg = "required field is missing"
    extra = f" (+{len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"{loc}: {msg}{extra}" if loc else f"{msg}{extra}"


def parse_transcript(raw: object) -> Transcript:
    """Validate already-parsed JSON; raises InputError with the first problem."""
    if not isinstance(raw, dict):
        raise InputError(f"expected a JSON object (a transcript), got {type(raw).__name__}")
    try:
        return Transcript.model_validate(raw)
    except ValidationError as exc:
        raise InputError(f"transcript breaks the schema: {describe_validation_error(exc)}") from None


def _parse_text(text: str) -> Transcript:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    return parse_transcript(raw)


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a .json or .jsonl file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def is_batch(path: str) -> bool:
    return path.endswith((".jsonl", ".ndjson"))


def load(path: str) -> Iterator[Loaded]:
    """Transcripts in a file (or `-`), in order; a broken one comes back as an error, not an exception.

    A missing or unreadable file raises InputError: there is nothing to score.
    """
    name = "<stdin>" if path == "-" else path
    text = _read(path)
    if not is_batch(path):
        try:
            yield Loaded(where=name, transcript=_parse_text(text))
        except InputError as exc:
            yield Loaded(where=name, error=str(exc))
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            yield Loaded(where=where, transcript=_parse_text(line))
        except InputError as exc:
            yield Loaded(where=where, error=str(exc))
