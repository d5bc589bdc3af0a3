"""Writing files so a crash never leaves half of one: a temp file in the same folder, fsync, then rename.

A reader (or the next run) sees either the old file or the whole new one, never an empty or cut-off
file. Every file the CLI, the evals and the replay cassette write goes through `write_text_atomic`.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

_SURROGATES = re.compile("[\ud800-\udfff]")


def _umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux), else set and put back."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int | None = None) -> None:
    """Replace `path` with `data` atomically. `mode` defaults to the existing file's, else what
    `open(path, "w")` would give (0666 less the umask); pass 0o600 for private files."""
    target = Path(path)
    folder = target.parent
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o7777
        except OSError:
            mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


def write_text_atomic(
    path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", mode: int | None = None
) -> None:
    """`write_bytes_atomic` for text. A lone surrogate (from a badly decoded byte) is written as U+FFFD
    rather than failing the whole write."""
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = _SURROGATES.sub("\ufffd", text).encode(encoding, "replace")
    write_bytes_atomic(path, data, mode=mode)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every OS lets a folder be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def tolerant_text(text: str) -> str:
    """Text safe to keep and write: bytes smuggled in as surrogate escapes (a non-UTF-8 byte read with
    `surrogateescape`) are decoded with replacement, and any other lone surrogate becomes U+FFFD."""
    if not _SURROGATES.search(text):
        return text
    with contextlib.suppress(UnicodeEncodeError):  # a surrogate that is not an escaped byte: replaced below
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _SURROGATES.sub("\ufffd", text)
