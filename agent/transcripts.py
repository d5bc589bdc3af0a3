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


def _check_text(raw: object) -> None:
    """Every string must be real Unicode text: JSON can spell a lone surrogate (`"\\ud800"`), which no
    UTF-8 output can carry. One encode of the whole value finds it (C speed, no Python-level walk)."""
    try:
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        code = f"\\u{ord(bad[0]):04x}" if bad else "?"
        raise InputError(f"a string holds a lone surrogate escape ({code}), which is not valid Unicode text") from None


def _parse_text(text: str) -> Transcript:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InputError("invalid JSON (nested too deeply)") from None
    except ValueError as exc:  # e.g. an integer past Python's digit limit for int() conversion
        detail = " ".join(str(exc).split())
        if "digits" in detail:
            detail = "a number with too many digits"
        raise InputError(f"invalid JSON ({detail})") from None
    try:
        _check_text(raw)
        return parse_transcript(raw)
    except RecursionError:
        raise InputError("invalid JSON (nested too deeply)") from None


def _decode(data: bytes) -> str:
    """UTF-8 text, a leading byte-order mark dropped; the first bad byte named by its column."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at byte {exc.start + 1})") from None


def _read(path: str) -> bytes:
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is not None:
            data: bytes = stream.read()
            return data
        return sys.stdin.read().encode("utf-8", "surrogateescape")
    if not path.strip():
        raise InputError("no file given: PATH is empty (name a .json or .jsonl file, or - for standard input)")
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a .json or .jsonl file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from None


def is_batch(path: str) -> bool:
    return path.endswith((".jsonl", ".ndjson"))


def load(path: str) -> Iterator[Loaded]:
    """Transcripts in a file (or `-`), in order; a broken one comes back as an error, not an exception.

    A `.jsonl` batch is split on "\\n" only (never `str.splitlines()`, which also cuts at U+2028, U+0085
    and other characters that are legal inside a JSON string) and each line is decoded and validated on
    its own, so one bad line costs only itself. A missing or unreadable file raises InputError: there is
    nothing to score.
    """
    name = "<stdin>" if path == "-" else path
    data = _read(path)
    if not is_batch(path):
        try:
            yield Loaded(where=name, transcript=_parse_text(_decode(data)))
        except InputError as exc:
            yield Loaded(where=name, error=str(exc))
        return
    for number, raw_line in enumerate(data.split(b"\n"), start=1):
        if not raw_line.strip():
            continue
        where = f"{name}:{number}"
        try:
            yield Loaded(where=where, transcript=_parse_text(_decode(raw_line)))
        except InputError as exc:
            yield Loaded(where=where, error=str(exc))
