"""`mock-interview eval`: run suites, gate them on `evals/thresholds.yaml`, and write what CI reads
(JUnit XML), what people read (a Markdown or HTML report) and what the next run compares against
(a results JSON, given back with `--baseline`)."""

from __future__ import annotations

import html
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import yaml

from agent.evals.datasets import EVALS_DIR
from agent.evals.suites import SUITES, EvalCaseError, EvalContext, SuiteResult
from agent.fileio import write_text_atomic
from agent.transcripts import InputError

THRESHOLDS = EVALS_DIR / "thresholds.yaml"


@dataclass
class Gate:
    metric: str
    value: float
    threshold: float | None
    baseline: float | None = None

    @property
    def passed(self) -> bool:
        return self.threshold is None or self.value >= self.threshold - 1e-9

    @property
    def delta(self) -> float | None:
        return None if self.baseline is None else self.value - self.baseline


@dataclass
class Run:
    engine: str
    results: list[SuiteResult]
    gates: list[Gate] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Gate]:
        return [g for g in self.gates if not g.passed]

    def to_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "seconds": round(self.seconds, 2),
            "metrics": {g.metric: g.value for g in self.gates},
            "prompt_versions": prompt_versions(),
        }


def prompt_versions() -> dict[str, str]:
    """Which prompt files this run used: a report without them can't say what changed."""
    from agent.prompts import load_data, prompts_dir

    out = {}
    for path in sorted(prompts_dir().rglob("*")):
        if path.suffix in (".yaml", ".md") and path.is_file():
            name = str(path.relative_to(prompts_dir()).with_suffix(""))
            try:
                if path.suffix == ".yaml":
                    out[name] = str(load_data(name)["version"])
                else:
                    from agent.prompts import load_template

                    out[name] = load_template(name).version
            except Exception:  # a data file that isn't a prompt (or is broken) is reported, not fatal
                out[name] = "?"
    return out


def load_thresholds(engine: str, path: Path = THRESHOLDS) -> dict[str, float]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: thresholds file not found") from None
    section = "offline" if engine == "offline" else "llm"
    return {k: float(v) for k, v in (data.get(section) or {}).items()}


def load_baseline(path: str | None) -> dict[str, float]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {k: float(v) for k, v in data["metrics"].items()}
    except FileNotFoundError:
        raise InputError(f"{path}: no such baseline file") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InputError(f"{path}: not a results file from 'mock-interview eval'") from None


class ProgressBar:
    """One bar per suite on standard error, drawn by rich, when it is a terminal; silent otherwise (CI logs stay
    clean). Each suite's bar stops when the suite is done, so what follows prints below it."""

    def __init__(self, stream: Any = None):
        self.stream = stream or sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, suite: str, done: int, total: int) -> None:
        if not self.live or not total:
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            console = Console(file=self.stream, force_terminal=True)
            self._bar = Progress(TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console)
            self._bar.start()
            self._task = self._bar.add_task(suite, total=total)
        self._bar.update(self._task, description=suite, completed=done, total=total)
        if done >= total:
            self._bar.stop()
            self._bar = None


def run(ctx: EvalContext, suites: Sequence[str], baseline: dict[str, float] | None = None,
        thresholds: dict[str, float] | None = None) -> Run:
    unknown = [s for s in suites if s not in SUITES]
    if unknown:
        raise InputError(f"unknown suite(s) {', '.join(unknown)} (choose from: {', '.join(SUITES)})")
    thresholds = load_thresholds(ctx.engine) if thresholds is None else thresholds
    baseline = baseline or {}
    start = time.perf_counter()
    results = [SUITES[name](ctx) for name in (suites or list(SUITES))]
    out = Run(engine=ctx.engine, results=results, seconds=time.perf_counter() - start)
    for res in results:
        for name, value in res.metrics.items():
            metric = f"{res.suite}.{name}"
            out.gates.append(Gate(metric, value, thresholds.get(metric), baseline.get(metric)))
    return out


# --- outputs -------------------------------------------------------------------------------------
def _fmt(value: float | None, signed: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def markdown_report(r: Run) -> str:
    lines = [f"# Eval report ({r.engine})", "",
             f"{len(r.gates)} metrics, {len(r.failed)} below threshold, {r.seconds:.1f} s.", ""]
    for res in r.results:
        lines += [f"## {res.suite} ({res.cases} cases)", "", "| metric | value | threshold | baseline | delta | |",
                  "|---|---|---|---|---|---|"]
        for g in (g for g in r.gates if g.metric.startswith(res.suite + ".")):
            status = "ok" if g.passed else "**FAIL**"
            lines.append(f"| {g.metric.split('.', 1)[1]} | {_fmt(g.value)} | {_fmt(g.threshold)} | "
                         f"{_fmt(g.baseline)} | {_fmt(g.delta, signed=True)} | {status} |")
        lines.append("")
        for table in res.tables:
            lines += [table, ""]
        if res.notes:
            lines.append("<details><summary>notes</summary>\n")
            lines += [f"- {n}" for n in res.notes[:200]]
            lines += ["", "</details>", ""]
    lines.append("Prompt versions: " + ", ".join(f"{k}@{v}" for k, v in prompt_versions().items()))
    return "\n".join(lines) + "\n"


def html_report(r: Run) -> str:
    body = html.escape(markdown_report(r))
    return f"<!doctype html><meta charset=utf-8><title>Eval report</title><pre>{body}</pre>\n"


def junit_xml(r: Run) -> str:
    root = ET.Element("testsuites", name="mock-interview eval", tests=str(len(r.gates)),
                      failures=str(len(r.failed)), time=f"{r.seconds:.2f}")
    for res in r.results:
        gates = [g for g in r.gates if g.metric.startswith(res.suite + ".")]
        suite = ET.SubElement(root, "testsuite", name=res.suite, tests=str(len(gates)),
                              failures=str(sum(not g.passed for g in gates)))
        for g in gates:
            case = ET.SubElement(suite, "testcase", classname=f"eval.{res.suite}", name=g.metric.split(".", 1)[1])
            if not g.passed:
                failure = ET.SubElement(case, "failure", message=f"{g.metric} = {g.value:.3f} < {g.threshold:.3f}")
                failure.text = "\n".join(res.notes[:50])
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def summary(r: Run) -> str:
    rows = []
    for g in r.gates:
        if g.threshold is None and g.baseline is None:
            continue
        status = "ok" if g.passed else "FAIL"
        delta = f"  ({_fmt(g.delta, signed=True)} vs baseline)" if g.delta is not None else ""
        rows.append(f"  {g.metric:<52} {g.value:7.3f}  >= {_fmt(g.threshold) or '-':>6}  {status}{delta}")
    return "\n".join(rows)


def write_outputs(r: Run, report: str | None, junit: str | None, results: str | None) -> None:
    for path, text in (
        (report, (html_report(r) if report and report.endswith(".html") else markdown_report(r)) if report else ""),
        (junit, junit_xml(r) if junit else ""),
        (results, json.dumps(r.to_json(), indent=2) + "\n" if results else ""),
    ):
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(path, text)  # CI never reads a half-written report or results file


def main(
    suites: Sequence[str],
    *,
    engine: str | None = "offline",
    model: str | None = None,
    concurrency: int = 4,
    junit: str | None = None,
    report: str | None = None,
    baseline: str | None = None,
    results: str | None = None,
    datasets: Sequence[str] = (),
    limit: int | None = None,
    scorer: Any = None,
    personas: Sequence[str] = (),
    length: int | None = None,
    replay: str | None = None,
    record: str | None = None,
    upstream: str | None = None,
) -> int:
    """Run, print a summary, write the files, and return 1 when any gate fails. `scorer` is a seam for tests.

    `replay` answers every model call from a cassette (no network, no key); `record` fills one by
    forwarding to `upstream`. Both route the LLM engine through a loopback proxy for this run only.
    """
    if replay or record:
        return _with_proxy(
            replay, record, upstream,
            lambda: main(suites, engine=engine or "openai", model=model, concurrency=concurrency, junit=junit,
                         report=report, baseline=baseline, results=results, datasets=datasets, limit=limit,
                         scorer=scorer, personas=personas, length=length),
        )
    from agent.engines import choose, get_interviewer, get_scorer
    from agent.evals.datasets import default_datasets

    chosen = choose(engine)
    paths = list(datasets) or default_datasets()
    if not paths:
        raise InputError("no datasets given and none found under evals/datasets/")
    if concurrency < 1:
        raise InputError(f"--concurrency must be at least 1, got {concurrency}")
    ctx = EvalContext(
        engine=chosen,
        scorer=scorer or get_scorer(chosen, model),
        interviewer_factory=lambda: get_interviewer(chosen, model),
        datasets=paths,
        concurrency=concurrency,
        limit=limit,
        progress=ProgressBar(),
        personas=tuple(personas) or ("ceo", "board_member"),
        length=length or 6,
    )
    if chosen != "offline":
        from agent.llm import resilience

        resilience.limit_concurrency(concurrency)  # all model calls of this run share the limit
    try:
        outcome = run(ctx, suites, load_baseline(baseline))
    except EvalCaseError as exc:
        print(f"mock-interview eval: {exc}", file=sys.stderr)
        return 1
    if report and not results:
        results = str(Path(report).with_suffix(".json"))
    write_outputs(outcome, report, junit, results)
    print(f"eval [{chosen}] {len(outcome.gates)} metrics in {outcome.seconds:.1f} s")
    print(summary(outcome))
    for gate in outcome.failed:
        print(f"mock-interview eval: {gate.metric} = {gate.value:.3f} is below its threshold {gate.threshold:.3f}",
              file=sys.stderr)
    return 1 if outcome.failed else 0


def _with_proxy(replay: str | None, record: str | None, upstream: str | None, body: Any) -> int:
    import os

    from agent.evals.replay import RECORD_HINT, Cassette, ReplayProxy

    if replay and record:
        raise InputError("--replay and --record are exclusive")
    path = replay or record or ""
    if replay and not Path(path).is_file():
        raise InputError(f"{path}: no such cassette (record one with `{RECORD_HINT}`)")
    upstream = upstream or os.environ.get("OPENAI_BASE_URL")
    if record and not upstream:
        raise InputError("--record needs --upstream URL (or OPENAI_BASE_URL): the model server to record from")
    proxy = ReplayProxy(Cassette(path), mode="replay" if replay else "record", upstream=upstream)
    saved = {k: os.environ.get(k) for k in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    os.environ["OPENAI_BASE_URL"] = proxy.start()
    os.environ["OPENAI_API_KEY"] = "replay"  # the proxy ignores it; it keeps real keys out of the cassette
    try:
        status = int(body())
    finally:
        proxy.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if proxy.misses:
        print(f"mock-interview eval: {len(proxy.misses)} call(s) had no recorded answer in {path}; "
              f"record them with `{RECORD_HINT}`. First: {proxy.misses[0]}", file=sys.stderr)
        return 1
    print(f"{'replayed' if replay else 'recorded'} {proxy.hits if replay else len(proxy.cassette.entries)} "
          f"model call(s) ({path})")
    return status
