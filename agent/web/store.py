"""The app's store checked before it serves anyone, and kept private.

`check` runs when the app is imported, before the server listens: the data folder, the saved-files
folder and (for SQLite) the database must exist or be creatable and actually accept a write, or the app
refuses to start with one line naming what and why (`StoreError`), instead of serving interviews that
are never stored. A database on a server (Postgres) is probed the same way once the app starts.

Everything the app stores is readable by the user running it only: folders 0700, files 0600, the
process umask 077 (so SQLite's journal, Chainlit's upload folder and every later file are born
private), and what an older version left readable is tightened at start.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from datetime import datetime, timezone
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
UMASK = 0o077
META_TABLE = "mock_interview_meta"  # one row, rewritten at each start: the write probe


class StoreError(RuntimeError):
    """The store can't be written; the message is the one line the operator sees."""


def private_umask() -> int:
    """Make every file this process creates private to its user; returns the previous umask."""
    return os.umask(UMASK)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _own(path: Path) -> bool:
    try:
        return path.stat().st_uid == os.getuid()
    except OSError:
        return False


def private_dir(path: Path, what: str, *, tighten_existing: bool = True) -> Path:
    """`path` as a folder only its owner can enter (created 0700 if missing; an existing one is made 0700
    unless `tighten_existing` is false); `StoreError` if impossible."""
    try:
        existed = path.is_dir()
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        if not path.is_dir():
            raise NotADirectoryError(20, "not a directory", str(path))
        if (tighten_existing or not existed) and _own(path) and stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
            path.chmod(DIR_MODE)
    except OSError as exc:
        raise StoreError(f"the {what} folder {path} cannot be created: {_reason(exc)}") from None
    return path


def tighten(root: Path) -> None:
    """Folders 0700 and files 0600 under `root` (what an older version left world-readable)."""
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        for name in dirs:
            _chmod(Path(folder) / name, DIR_MODE)
        for name in names:
            _chmod(Path(folder) / name, FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    with contextlib.suppress(OSError):
        if not path.is_symlink() and _own(path) and stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)


def probe_folder(path: Path, what: str) -> None:
    """Write, read back and delete a small file in `path`: `StoreError` when that fails (read-only, full)."""
    probe = path / f".write-check-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.write(fd, b"ok\n" * 512)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise StoreError(f"the {what} folder {path} cannot be written: {_reason(exc)}") from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def sqlite_path(url: str) -> Path | None:
    """The file behind a `sqlite+aiosqlite:///path` URL (None for memory or another database)."""
    if not url.startswith("sqlite"):
        return None
    _, _, rest = url.partition(":///")
    rest = rest.split("?", 1)[0]
    if not rest or rest == ":memory:":
        return None
    return Path(rest)


def probe_sqlite(path: Path, *, tighten_folder: bool = True) -> None:
    """Create the database file private if missing, then commit one row in it."""
    private_dir(path.parent, "database", tighten_existing=tighten_folder)
    try:
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
        for extra in ("", "-wal", "-shm", "-journal"):
            _chmod(Path(f"{path}{extra}"), FILE_MODE)
        conn = sqlite3.connect(path, timeout=10)
        try:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT)")
            conn.execute(
                f"INSERT OR REPLACE INTO {META_TABLE} (key, value) VALUES ('checked_at', ?)",
                (datetime.now(timezone.utc).isoformat(),),
            )
            conn.commit()
        finally:
            conn.close()
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"the database {path} cannot be written: {_reason(exc)}") from None


def check(home: Path, files: Path, database_url: str) -> None:
    """Everything `StoreError` describes, checked in order: data folder, files folder, database."""
    private_dir(home, "data")
    probe_folder(home, "data")
    _chmod(home / "auth_secret", FILE_MODE)
    private_dir(files, "saved files")
    tighten(files)
    probe_folder(files, "saved files")
    db = sqlite_path(database_url)
    if db is not None:
        probe_sqlite(db, tighten_folder=db.resolve().parent == home.resolve())


async def probe_database(engine: object) -> None:
    """The same write probe through the app's own engine (Postgres: run once the app starts)."""
    from sqlalchemy import text

    try:
        async with engine.begin() as conn:  # type: ignore[attr-defined]
            await conn.execute(text(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT)"))
            await conn.execute(text(f"DELETE FROM {META_TABLE} WHERE key = 'checked_at'"))
            await conn.execute(
                text(f"INSERT INTO {META_TABLE} (key, value) VALUES ('checked_at', :now)"),
                {"now": datetime.now(timezone.utc).isoformat()},
            )
    except Exception as exc:
        raise StoreError(f"the database cannot be written: {_reason(exc)}") from None


def refuse_to_start(exc: StoreError, *, running: bool = False) -> None:
    """One line on stderr, exit status 2. Inside the running server (`running`), exit at once: raising
    there would print a traceback and let the server serve on."""
    import sys

    print(f"mock-interview: cannot start: {exc}", file=sys.stderr, flush=True)
    if running:
        os._exit(2)
    raise SystemExit(2)
