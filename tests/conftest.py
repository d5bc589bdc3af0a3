"""Shared fixtures. No test reaches the network: a guard refuses any connection off loopback."""

from __future__ import annotations

import ipaddress
import json
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "agent" / "schemas"
DATASETS = ROOT / "evals" / "datasets"

_real_connect = socket.socket.connect


def _is_local(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # unix socket
        return True
    host = address[0] if isinstance(address, tuple) else ""
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(autouse=True)
def no_llm_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The automatic engine choice must not depend on the developer's shell."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MOCK_INTERVIEW_MODEL", "MOCK_INTERVIEW_JUDGE_MODEL"):
        monkeypatch.delenv(name, raising=False)


def load_schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text())


@pytest.fixture(scope="session")
def transcript_schema() -> dict:
    return load_schema("transcript")


@pytest.fixture(scope="session")
def scorecard_schema() -> dict:
    return load_schema("scorecard")


def dataset_rows(name: str = "core") -> list[dict]:
    path = DATASETS / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


SAMPLE = {
    "persona": "ceo",
    "context": {"company": "Brightwell Foods", "industry": "food manufacturing", "role": "COO"},
    "turns": [
        {"speaker": "interviewer", "text": "How would you get to know the plant managers here?"},
        {
            "speaker": "candidate",
            "text": "I'd start by listening. At Dunmore my team rebuilt the schedule and the credit goes to them.",
        },
        {"speaker": "interviewer", "text": "What questions do you have for me?"},
        {
            "speaker": "candidate",
            "text": "I read that you opened a second plant last year. How do you see demand shifting? "
            "Based on today, would you feel confident recommending me for the next conversation?",
        },
        {"speaker": "interviewer", "text": "Thank you, we'll be in touch."},
    ],
}


@pytest.fixture
def fake_openai():
    """A local OpenAI-compatible server (tests/fakes/openai_server.py) for one test."""
    from tests.fakes.openai_server import FakeOpenAI

    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def sample() -> dict:
    return json.loads(json.dumps(SAMPLE))
