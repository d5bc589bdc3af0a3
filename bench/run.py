"""`make bench`: speed figures for the offline path (and the LLM engine's, when its bench is present).

Prints numbers; it asserts nothing. Targets: `score` cold start <= 40x `python3 -c pass` (the listener loads
its encoder), batch throughput >= 200 transcripts per second over a 1,000-line JSONL; the listener's own
figures come from listening.py.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RUNS = 15


def _median_seconds(cmd: list[str], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _unique_batch(n: int) -> list[str]:
    """n distinct transcripts made from the labeled datasets (distinct text, so no cache can help)."""
    rows = []
    for path in sorted((ROOT / "evals" / "datasets").glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    out = []
    for i in range(n):
        row = json.loads(json.dumps(rows[i % len(rows)]))
        for turn in row["turns"]:
            turn["text"] = f"{turn['text']} [{i}]"
        out.append(json.dumps(row))
    return out


def bench_offline() -> None:
    cli = str(BIN / "mock-interview")
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.json"
        one.write_text(_unique_batch(1)[0])
        big = Path(tmp) / "batch.jsonl"
        big.write_text("\n".join(_unique_batch(1000)) + "\n")

        baseline = _median_seconds([sys.executable, "-c", "pass"])
        score_one = _median_seconds([cli, "score", str(one), "--engine", "offline"])
        print(f"python3 -c pass, median of {RUNS}:              {baseline * 1000:8.1f} ms")
        print(f"mock-interview score one.json, median of {RUNS}: {score_one * 1000:8.1f} ms")
        print(f"cold-start ratio (target <= 40):                {score_one / baseline:8.1f}x")

        start = time.perf_counter()
        subprocess.run([cli, "score", str(big), "--engine", "offline"], check=True, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        print(f"score 1,000-transcript JSONL (whole command):  {elapsed:8.2f} s")
        print(f"throughput (target >= 200/s):               {1000 / elapsed:8.0f} transcripts/s")


def main() -> int:
    bench_offline()
    print()
    subprocess.run([sys.executable, str(ROOT / "bench" / "listening.py")], check=False, cwd=ROOT)
    extra = ROOT / "bench" / "llm_prefix.py"
    if extra.exists():
        print()
        subprocess.run([sys.executable, str(extra)], check=False)
    # The load run through nginx on 1 and 2 workers (Postgres, nginx): its own script, bounded in time, loopback.
    print()
    subprocess.run([sys.executable, str(ROOT / "bench" / "load.py")], check=False, cwd=ROOT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
