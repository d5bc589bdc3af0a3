"""Where the app keeps its data and which engine is live, read from the environment in one place.

Everything defaults to a git-ignored `var/` folder under the Chainlit app root (the working
directory for `make run`, a temp dir in tests), so a fresh clone works with no configuration and
tests never touch a developer's history.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from agent.engines import choose


def app_root() -> Path:
    return Path(os.environ.get("CHAINLIT_APP_ROOT") or os.getcwd())


def home() -> Path:
    """The folder for the database, saved downloads and the generated auth secret."""
    return Path(os.environ.get("MOCK_INTERVIEW_HOME") or app_root() / "var")


def database_url() -> str:
    """An async SQLAlchemy URL: Postgres when DATABASE_URL is set, else SQLite (MOCK_INTERVIEW_DB).

    MOCK_INTERVIEW_DB may be a file path or a full SQLAlchemy URL.
    """
    pg = os.environ.get("DATABASE_URL")
    if pg:
        for prefix in ("postgres://", "postgresql://"):
            if pg.startswith(prefix):
                return "postgresql+asyncpg://" + pg[len(prefix) :]
        return pg
    db = os.environ.get("MOCK_INTERVIEW_DB")
    if db and "://" in db:
        return db
    path = Path(db) if db else home() / "mock-interview.db"
    return f"sqlite+aiosqlite:///{path.resolve()}"


def files_dir() -> Path:
    return home() / "files"


@dataclass(frozen=True)
class EngineInfo:
    engine: str
    model: str | None

    @property
    def is_llm(self) -> bool:
        return self.engine != "offline"

    def describe(self) -> str:
        """One plain sentence for the page: what is live and how to switch."""
        if self.is_llm:
            model = f" (model `{self.model}`)" if self.model else ""
            return (
                f"**Engine: {self.engine}{model}.** A language model plays the interviewer and the judge. "
                "Unset `OPENAI_API_KEY` and `OPENAI_BASE_URL` and restart to practise offline."
            )
        return (
            "**Engine: offline.** A learned listener chooses the interviewer's moves and scores the rubric; "
            "no model server and no network. "
            "To use a language model, set `OPENAI_API_KEY` (and `OPENAI_BASE_URL` for an OpenAI-compatible "
            "server, `MOCK_INTERVIEW_MODEL` for the model) and restart with `make run`."
        )


def engine_info() -> EngineInfo:
    engine = choose(None)
    return EngineInfo(engine=engine, model=os.environ.get("MOCK_INTERVIEW_MODEL") if engine != "offline" else None)
