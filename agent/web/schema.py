"""The database schema, versioned: numbered migrations applied in order at start, once.

`mock_interview_schema` holds one row per migration applied (version, when, what). At start every worker
calls `migrate`: on Postgres it first takes a transaction-level advisory lock, so when N workers start at
once exactly one applies what is missing and the others find it done; the whole upgrade is one
transaction (Postgres DDL is transactional), so a failed upgrade leaves the previous schema intact.

A database made before versioning (the tables exist, the schema table does not) is at version 0: the
first migration is written to be idempotent (create what is missing, add missing columns), so it upgrades
such a database in place. After the migrations, `reconcile` adds any column the pinned Chainlit writes that
a table lacks (Chainlit's data layer INSERTs every field as a column of the same name); it is a no-op when
the schema is current.

To change the schema: append a `Migration` with the next number; never edit one that has shipped. (A table
declared on `persistence.metadata` with no migration yet is still created at start, by `reconcile`.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Integer, MetaData, Table, Text, inspect, select, text

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

SCHEMA_TABLE = "mock_interview_schema"
LOCK_KEY = 0x6D6F636B  # "mock": the advisory lock every worker takes while migrating

_schema_metadata = MetaData()
schema_versions = Table(
    SCHEMA_TABLE,
    _schema_metadata,
    Column("version", Integer, primary_key=True),
    Column("appliedAt", Text, nullable=False),
    Column("description", Text, nullable=False),
)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Any], list[str]]  # runs on a sync connection inside the transaction; returns what it added


def _tables(*names: str) -> Callable[[Any], list[str]]:
    """A migration that creates these tables of `persistence.metadata` (when missing) and adds their missing
    columns: idempotent, so it also upgrades a database made before versioning."""

    def apply(conn: Any) -> list[str]:
        from agent.web import persistence

        tables = [persistence.metadata.tables[n] for n in names]
        persistence.metadata.create_all(conn, tables=tables, checkfirst=True)
        return _add_missing_columns(conn, tables)

    return apply


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "Chainlit's tables (users, threads, steps, elements, feedbacks) and interview_scores",
        _tables("users", "threads", "steps", "elements", "feedbacks", "interview_scores"),
    ),
    Migration(
        2,
        "stored_files: charts and downloads kept in the database, so every worker serves them",
        _tables("stored_files"),
    ),
    Migration(
        3,
        "login_failures: failed sign-ins counted across workers, so the throttle holds behind a load balancer",
        _tables("login_failures"),
    ),
)

LATEST = MIGRATIONS[-1].version


def _add_missing_columns(conn: Any, tables: list[Table]) -> list[str]:
    added: list[str] = []
    insp = inspect(conn)
    quote_id = conn.dialect.identifier_preparer.quote
    for table in tables:
        have = {c["name"] for c in insp.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:  # nullable: the table's existing rows have no value for it
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(text(f"ALTER TABLE {quote_id(table.name)} ADD COLUMN {quote_id(column.name)} {kind}"))
                added.append(f"{table.name}.{column.name}")
    return added


def current_version(conn: Any) -> int:
    """The highest version applied (0: a database made before versioning, or an empty one)."""
    if not inspect(conn).has_table(SCHEMA_TABLE):
        return 0
    row = conn.execute(select(schema_versions.c.version).order_by(schema_versions.c.version.desc()).limit(1)).first()
    return int(row[0]) if row else 0


def _migrate_sync(conn: Any, target: int) -> tuple[list[int], list[str]]:
    from agent.web import persistence

    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    _schema_metadata.create_all(conn, checkfirst=True)
    have = current_version(conn)
    if have > LATEST:
        raise RuntimeError(
            f"the database schema is version {have}, newer than this app's {LATEST}: upgrade the app, not the database"
        )
    applied: list[int] = []
    added: list[str] = []
    for migration in MIGRATIONS:
        if have < migration.version <= target:
            added += migration.apply(conn)
            conn.execute(
                schema_versions.insert().values(
                    version=migration.version,
                    appliedAt=datetime.now(timezone.utc).isoformat(),
                    description=migration.description,
                )
            )
            applied.append(migration.version)
    # What a newer pinned Chainlit writes that the tables lack, and tables a module declared on the shared
    # metadata without a migration of its own yet (only when fully migrated).
    if target >= LATEST:
        persistence.metadata.create_all(conn, checkfirst=True)
        for name in _add_missing_columns(conn, list(persistence.metadata.sorted_tables)):
            if name not in added:
                added.append(name)
    return applied, added


async def migrate(engine: AsyncEngine, target: int = LATEST) -> tuple[list[int], list[str]]:
    """Bring the database to `target` (default: the latest); returns (versions applied, columns added)."""
    async with engine.begin() as conn:
        applied, added = await conn.run_sync(_migrate_sync, target)
    if applied:
        log.info("database schema: applied migrations %s", ", ".join(map(str, applied)))
    if added:
        log.info("database schema: added columns %s", ", ".join(added))
    return applied, added


async def version(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.run_sync(current_version))
