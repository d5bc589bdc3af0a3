"""The listener's speed and the app's memory with the model loaded (issue: listening). Prints figures only.

Targets: reading one candidate turn p95 <= 30 ms; scoring a 20-turn transcript <= 150 ms; the app's
resident memory with the model loaded <= 600 MB. (Batch throughput and `score` cold start are in run.py.)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _turns() -> list[dict]:
    rows = [json.loads(line) for line in (ROOT / "evals" / "datasets" / "core.jsonl").read_text().splitlines() if line]
    return [row for row in rows if len(row["turns"]) >= 18]


def bench_reading() -> None:
    from agent.listening.reader import read_candidate_text
    from agent.models import Transcript
    from agent.offline.scorer import score

    rows = _turns()
    answers = [t["text"] for row in rows for t in row["turns"] if t["speaker"] == "candidate"]
    read_candidate_text("warm up the encoder and the heads.", False)
    times = []
    for i, text in enumerate(answers * 3):
        start = time.perf_counter()
        read_candidate_text(f"{text} ({i})", False)  # distinct text: no cache can help
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p50, p95 = statistics.median(times), times[int(len(times) * 0.95)]
    print(f"read one candidate turn ({len(times)} turns):  p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   (target p95 <= 30)")

    twenty = []
    for n, row in enumerate(rows):
        row = json.loads(json.dumps(row))
        for t in row["turns"]:
            t["text"] += f" ({n})"
        twenty.append(Transcript.model_validate({**row, "turns": row["turns"][:20]}))
    times = []
    for t in twenty:
        start = time.perf_counter()
        score(t)
        times.append((time.perf_counter() - start) * 1000)
    print(f"score a 20-turn transcript ({len(times)}):      median {statistics.median(times):6.1f} ms "
          f"  max {max(times):6.1f} ms   (target <= 150)")


def bench_app_memory() -> None:
    """Resident memory of a process holding what the app holds: chainlit, the app module and the listener."""
    code = (
        "import resource, agent.web.room, agent.app\n"
        "from agent.listening.reader import read_candidate_text, read_interviewer_text\n"
        "read_candidate_text('I would like to learn how the depots work.', False); read_interviewer_text('Hi?')\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"
    )
    (ROOT / "artifacts" / "bench-app").mkdir(parents=True, exist_ok=True)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={"CHAINLIT_APP_ROOT": str(ROOT / "artifacts" / "bench-app"), "PATH": "/usr/bin:/bin",
                              "MOCK_INTERVIEW_DB": str(ROOT / "artifacts" / "bench-app" / "bench.db")})
    figure = out.stdout.strip().splitlines()[-1] if out.returncode == 0 and out.stdout.strip() else "n/a"
    print(f"app resident memory with the model loaded:   {figure} MB   (target <= 600)")


if __name__ == "__main__":
    bench_reading()
    bench_app_memory()
