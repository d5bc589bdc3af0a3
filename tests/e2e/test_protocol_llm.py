"""The app on the LLM engine: the same server, pointed at the fake OpenAI-compatible server on loopback.
The page says the LLM engine is live and offers the model setting; a model failure mid-interview shows
one line and a Retry that picks up with the transcript intact; the judge scores the interview."""

from __future__ import annotations

# isort: off
import tests.e2e.appenv  # noqa: F401  (first: Chainlit must not touch the repository)

# isort: on
from pathlib import Path

import httpx
import pytest

from agent.web import views
from tests.e2e.support import PERSONA_PROFILES, Chat, Server
from tests.fakes.openai_server import FakeOpenAI, fault
from tests.helpers import TEN_LINES

pytestmark = [pytest.mark.server]

LINE = "Thank you for that. What would your last team say about working with you?"  # the fake's reply


async def _turn(chat: Chat, text: str) -> None:
    mark = len(chat.events)
    await chat.say(text)
    await chat.wait_idle(mark)


async def test_interview_on_the_llm_engine_with_a_failure_and_retry(tmp_path: Path):
    with FakeOpenAI() as fake:
        env = {
            "OPENAI_BASE_URL": fake.base_url,
            "OPENAI_API_KEY": "test-key",
            "MOCK_INTERVIEW_MODEL": "fake-model",
            "MOCK_INTERVIEW_RETRIES": "0",
            "MOCK_INTERVIEW_TIMEOUT": "5",
        }
        srv = Server(tmp_path / "app", extra_env=env).start()
        try:
            cookie = srv.login("alice")
            settings = httpx.get(
                f"{srv.base}/project/settings", params={"language": "en-US"}, headers={"Cookie": cookie}, timeout=10
            ).json()
            # The engine is operator detail: the settings panel names the model, the landing text doesn't (issue 10).
            assert settings["chatProfiles"] and all(
                "OPENAI_API_KEY" not in p["markdown_description"] for p in settings["chatProfiles"]
            )
            chat = await Chat(srv, cookie).connect(PERSONA_PROFILES["ceo"])
            try:
                panel = next(d for e, d in chat.events if e == "chat_settings")
                assert {"id": "model", "initial": "fake-model"}.items() <= next(
                    w for w in panel if w["id"] == "model"
                ).items()
                await _turn(chat, views.START)
                assert chat.by_author("Dana Whitfield") == [LINE]
                fake.script(fault("500"))
                await _turn(chat, TEN_LINES[0])
                notice = chat.messages()[-1]["output"]
                assert "failed" in notice and "Retry" in notice and chat.actions("retry")
                assert chat.by_author("Dana Whitfield") == [LINE]  # nothing half-said stays on the page
                await chat.click("retry")
                await chat.wait_for(lambda: len(chat.by_author("Dana Whitfield")) == 2, what="the retried turn")
                last_request = fake.requests[-1]["messages"]
                assert any(TEN_LINES[0] in str(m.get("content")) for m in last_request)  # the answer was kept
                await chat.click("end_interview")
                await chat.wait_for(
                    lambda: any(m["output"].startswith("## Your scorecard") for m in chat.messages()),
                    what="the scorecard",
                )
                card = next(m["output"] for m in chat.messages() if m["output"].startswith("## Your scorecard"))
                assert "scored by the openai:fake-model engine" in card and "Chief Executive Officer" in card
            finally:
                await chat.close()
        finally:
            srv.stop()
