"""The load run through nginx (issue 11): concurrent whole interviews against 1 and 2 workers.

    python bench/load.py [--levels 10,50,100,200] [--workers 1,2] [--think 5] [--budget 900]

For each worker count a cluster is started on loopback (deploy/cluster.py: Postgres, the workers, nginx
with deploy/nginx.conf); for each level that many interviews run at once through nginx with the socket.io
driver the tests use (tests/e2e/cluster_support.py): sign in, start a short practice, answer with `--think`
seconds between a reply and the next answer until the scorecard. Reply latency is from sending an answer
to the interviewer's whole reply (its message, sent once its stream ends); the scorecard latency, from the
last answer to the scorecard, is reported beside it (scoring runs after the closing reply is shown).
Prints p50/p95 and failures per row and the first level where p95 passes 1 s. Bounded: each level stops
at `--level-timeout`, the whole run at `--budget` seconds (the rest is reported as not run). Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.plan import load_persona  # noqa: E402
from deploy.cluster import Cluster, free_port, missing_parts  # noqa: E402

USERS = 20  # interviews share these accounts (each has its own session and thread)
ANSWERS = [
    "Thanks for having me. At Corvid Logistics my team of 40 rebuilt our planning process, and the credit is theirs.",
    "I'd start by listening to the people who built what works, and only then suggest changes with them.",
    "When a customer asked us to backdate an invoice, I refused and told our CFO the same day.",
    "I'd need about ninety days to learn the industry, and I'd lean on your finance lead meanwhile.",
    "What would make the first year a success in your eyes? I'd like this job; what is the next step?",
    "Thank you, that's all from me.",
]
INTERVIEWER = load_persona("ceo").name  # the interviewer (the CEO profile): its messages are the replies timed
SCORECARD = "## Your scorecard"
CLOSING_LINE = "Thank you again."  # said until the interviewer closes (follow-ups and a last call vary the length)
MAX_TURNS = 16


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def one_interview(
    front, think: float, latencies: list[float], scorecards: list[float], deadline: float
) -> None:
    from agent.web import views
    from tests.e2e.cluster_support import ClusterChat

    user = f"u{hash(asyncio.current_task()) % USERS}"
    cookie = await asyncio.to_thread(front.login, user)
    chat = ClusterChat(front, cookie)
    ended = asyncio.Event()
    record = chat._record
    sent = [0.0]

    async def on_event(event: str, data=None) -> None:
        await record(event, data)
        if event == "task_end":
            ended.set()
        elif event == "new_message" and isinstance(data, dict) and sent[0]:
            if data.get("name") == INTERVIEWER:  # the interviewer's reply, whole (sent after its stream)
                latencies.append(time.monotonic() - sent[0])
            elif str(data.get("output", "")).startswith(SCORECARD):
                scorecards.append(time.monotonic() - sent[0])

    chat.sio.on("*", on_event)
    await chat.connect("The CEO")
    try:
        script = [views.START_SHORT, *ANSWERS]
        for text in script + [CLOSING_LINE] * (MAX_TURNS - len(script)):
            if any(m["output"].startswith("## Your scorecard") for m in chat.messages()):
                return
            ended.clear()
            sent[0] = time.monotonic() if text != views.START_SHORT else 0.0
            await chat.say(text)
            await asyncio.wait_for(ended.wait(), timeout=max(1.0, deadline - time.monotonic()))
            await asyncio.sleep(think)
        raise RuntimeError("no scorecard after every answer")
    finally:
        with contextlib.suppress(Exception):
            await chat.close()


async def run_level(front, n: int, think: float, timeout: float) -> dict:
    latencies: list[float] = []
    scorecards: list[float] = []
    deadline = time.monotonic() + timeout
    t0 = time.monotonic()
    tasks = []
    for _ in range(n):  # ramp up over about one thinking time, as people arrive
        tasks.append(asyncio.create_task(one_interview(front, think, latencies, scorecards, deadline)))
        await asyncio.sleep(think / max(n, 1))
    done = await asyncio.gather(
        *(asyncio.wait_for(t, timeout=max(1.0, deadline - time.monotonic())) for t in tasks), return_exceptions=True
    )
    failures = [d for d in done if isinstance(d, BaseException)]
    return {
        "n": n,
        "p50": _pct(latencies, 0.5),
        "p95": _pct(latencies, 0.95),
        "card_p50": _pct(scorecards, 0.5),
        "card_p95": _pct(scorecards, 0.95),
        "replies": len(latencies),
        "failures": len(failures),
        "why": sorted({type(f).__name__ for f in failures}),
        "seconds": time.monotonic() - t0,
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--levels", default="10,50,100,200")
    p.add_argument("--workers", default="1,2")
    p.add_argument("--think", type=float, default=5.0)
    p.add_argument("--level-timeout", type=float, default=150.0)
    p.add_argument("--budget", type=float, default=900.0)
    args = p.parse_args(argv)
    missing = missing_parts()
    if missing:
        print(f"load bench skipped: needs {', '.join(missing)} (make bench installs them on Debian)")
        return 0
    import shutil
    import tempfile

    from tests.e2e.cluster_support import Front
    from tests.e2e.support import prepare_app_root

    levels = [int(x) for x in args.levels.split(",")]
    started = time.monotonic()
    rows: list[tuple[int, dict]] = []
    skipped: list[str] = []
    for workers in [int(x) for x in args.workers.split(",")]:
        if time.monotonic() - started > args.budget:
            skipped.append(f"{workers} workers")
            continue
        folder = Path(tempfile.mkdtemp(prefix="mi-load-"))
        folder.chmod(0o755)
        users = ",".join(f"u{i}:pw-{i}" for i in range(USERS))
        cluster = Cluster(
            folder,
            workers=workers,
            port=free_port(),
            app_root=prepare_app_root(folder / "app"),
            extra_env={"MOCK_INTERVIEW_USERS": users, "MOCK_INTERVIEW_LOGIN_LIMIT": "100000"},
            fast_db=True,
        )
        try:
            cluster.up()
            front = Front(cluster)
            front.users = {f"u{i}": f"pw-{i}" for i in range(USERS)}
            for n in levels:
                if time.monotonic() - started > args.budget:
                    skipped.append(f"{n} on {workers} workers")
                    continue
                row = asyncio.run(run_level(front, n, args.think, args.level_timeout))
                rows.append((workers, row))
                print(
                    f"  {workers} worker(s), {n:3d} interviews: p50 {row['p50'] * 1000:6.0f} ms, "
                    f"p95 {row['p95'] * 1000:6.0f} ms; scorecard p95 {row['card_p95'] * 1000:6.0f} ms; "
                    f"{row['failures']} failed ({row['seconds']:.0f} s)",
                    flush=True,
                )
        finally:
            cluster.down()
            shutil.rmtree(folder, ignore_errors=True)
    print()
    print(f"Load through nginx: whole short interviews, {args.think:g} s thinking between a reply and the next answer")
    print("Reply: an answer sent to the interviewer's whole reply shown; scorecard: the last answer to the scorecard.")
    print("| workers | interviews | replies | reply p50 | reply p95 | scorecard p50 | scorecard p95 | failures |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for workers, row in rows:
        why = f" ({', '.join(row['why'])})" if row["why"] else ""
        print(
            f"| {workers} | {row['n']} | {row['replies']} | {row['p50'] * 1000:.0f} ms | {row['p95'] * 1000:.0f} ms "
            f"| {row['card_p50'] * 1000:.0f} ms | {row['card_p95'] * 1000:.0f} ms | {row['failures']}{why} |"
        )
    for workers in sorted({w for w, _ in rows}):
        over = next((r["n"] for w, r in rows if w == workers and r["p95"] > 1.0), None)
        print(
            f"{workers} worker(s): p95 passes 1 s at {over} concurrent interviews"
            if over
            else f"{workers} worker(s): p95 stays under 1 s at every level run"
        )
    if skipped:
        print("not run (time budget): " + ", ".join(skipped))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
