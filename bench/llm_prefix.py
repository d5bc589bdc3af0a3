"""Benchmark: how much of each LLM request repeats the previous one (provider prefix caching).

A scripted 12-answer interview with the LLM interviewer, then LLM scoring, all through the fake
OpenAI-compatible server on loopback (no key, no network). Prints total input and output tokens
(tiktoken, o200k_base, counted on what went over the wire) and the share of input tokens, on every
call after the first, that repeat the previous call's prefix. Target: at least 80%.

Run: `python bench/llm_prefix.py` (or `make bench`). `main()` returns 0 when the target is met.
"""

from __future__ import annotations

import sys
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.helpers import TEN_LINES  # noqa: E402

TARGET = 0.80

# The core tests' ten answers, plus two more so the interview runs through the candidate's questions.
ANSWERS = [
    *TEN_LINES[:7],
    "Our biggest miss was a warehouse system we launched too fast; I learned to pilot with one site first.",
    *TEN_LINES[7:9],
    "How would you describe the board's appetite for risk over the next two years?",
    TEN_LINES[9],
]


def _messages(body: dict) -> list[tuple[str, str]]:
    return [(m["role"], m.get("content") or "") for m in body.get("messages", [])]


def main() -> int:
    from agent.interview import Conversation
    from agent.llm.config import Settings
    from agent.llm.interviewer import LLMInterviewer
    from agent.llm.judge import LLMScorer
    from agent.llm.tokens import common_prefix, count, message_tokens
    from agent.models import Context
    from tests.fakes.openai_server import FakeOpenAI

    with FakeOpenAI() as server:
        settings = Settings(model="gpt-4o-mini", base_url=server.base_url, api_key="bench", timeout=10, retries=0)
        interviewer = LLMInterviewer(settings)
        convo = Conversation.start(
            "ceo", Context(company="Alder Freight", industry="logistics", role="COO"), interviewer, length=6
        )
        answered = 0
        for line in ANSWERS:
            if convo.closed:
                break
            convo.reply(line)
            answered += 1
        if not convo.closed:
            convo.end()
        interview_calls = len(server.requests)
        scorer = LLMScorer(
            Settings(
                model="gpt-4o-mini", base_url=server.base_url, api_key="bench", timeout=10, retries=0, temperature=0.0
            )
        )
        scorer.score(convo.transcript())
        requests = [message_tokens(_messages(body)) for body in server.requests]
        replies = list(server.replies)

    input_tokens = sum(len(r) for r in requests)
    output_tokens = sum(count(text) for text in replies)

    def share(seq: list[list[int]]) -> tuple[int, int]:
        repeated = sum(common_prefix(prev, cur) for prev, cur in pairwise(seq))
        return repeated, sum(len(r) for r in seq[1:])

    repeated, later = share(requests)
    i_rep, i_later = share(requests[:interview_calls])
    j_rep, j_later = share(requests[interview_calls:])
    overall = repeated / later if later else 0.0
    print("LLM prefix caching (fake server, tiktoken o200k_base)")
    print(
        f"  interview: {answered} candidate answers, {len(convo.transcript().turns)} turns, "
        f"{interview_calls} interviewer calls; scoring: {len(requests) - interview_calls} judge calls"
    )
    print(f"  total input tokens:  {input_tokens}")
    print(f"  total output tokens: {output_tokens}")
    print(f"  interviewer calls repeating the previous prefix: {i_rep / i_later:.1%}" if i_later else "")
    print(f"  judge calls repeating the previous prefix:       {j_rep / j_later:.1%}" if j_later else "")
    print(
        f"  share of input tokens on calls after the first that repeat the previous call's prefix: "
        f"{overall:.1%} (target >= {TARGET:.0%}) {'OK' if overall >= TARGET else 'BELOW TARGET'}"
    )
    return 0 if overall >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
