"""`make bench`: the speed-up of concurrent judge calls in evals, against a local fake OpenAI-compatible
server that takes 300 ms per call. Target: >= 10x for 100 calls at concurrency 16 over sequential."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.evals.datasets import load_cases  # noqa: E402
from agent.evals.suites import EvalContext, score_many  # noqa: E402
from agent.llm import resilience  # noqa: E402
from agent.llm.config import Settings  # noqa: E402
from agent.llm.judge import LLMScorer  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402

LATENCY = 0.3
CALLS = 100
CONCURRENCY = 16


class SlowFake(FakeOpenAI):
    """Every answer takes LATENCY seconds, like a hosted model's round trip."""

    def _handle(self, h, body):  # type: ignore[no-untyped-def]
        time.sleep(LATENCY)
        super()._handle(h, body)


def _run(base_url: str, transcripts: list, concurrency: int) -> tuple[float, int]:
    resilience.limit_concurrency(concurrency)
    scorer = LLMScorer(Settings(base_url=base_url, api_key="bench", model="fake-model", retries=0))
    ctx = EvalContext(engine="openai", scorer=scorer, interviewer_factory=lambda: None,  # type: ignore[arg-type,return-value]
                      datasets=[], concurrency=concurrency)
    start = time.perf_counter()
    score_many(ctx, "bench", transcripts)
    return time.perf_counter() - start, 0


def main() -> int:
    cases = load_cases([str(ROOT / "evals" / "datasets" / "core.jsonl")])
    with SlowFake() as fake:
        # How many model calls does one scorecard take? Measure on one transcript, then size the batch.
        _run(fake.base_url, [cases[0].transcript], 1)
        per_card = max(1, len(fake.requests))
        n = max(1, round(CALLS / per_card))
        transcripts = [c.transcript for c in cases[:n]]
        fake.requests.clear()
        sequential, _ = _run(fake.base_url, transcripts, 1)
        calls = len(fake.requests)
        fake.requests.clear()
        concurrent, _ = _run(fake.base_url, transcripts, CONCURRENCY)
    print(f"judge calls per scorecard:                    {per_card:8d}")
    print(f"judge calls per run ({n} transcripts):          {calls:8d}")
    print(f"sequential, {LATENCY * 1000:.0f} ms per call:                 {sequential:8.2f} s")
    print(f"concurrency {CONCURRENCY}:                               {concurrent:8.2f} s")
    print(f"speed-up (target >= 10x):                     {sequential / concurrent:8.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
