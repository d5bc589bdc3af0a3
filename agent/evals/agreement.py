"""Judge agreement with expert labels: the numbers that say whether a scorer can be trusted.

Datasets are JSONL transcripts with a `labels` field (see evals/README.md). The table is what
`make eval` prints; `--misses` lists every disagreement for whoever tunes a prompt or a rule.
"""

from __future__ import annotations

import glob
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agent.models import Scorecard, Transcript
from agent.transcripts import InputError, load

# Targets for the offline engine (issue: core). The eval harness keeps its thresholds in evals/.
TARGETS = {
    "humility_within1": 0.90,
    "humility_exact": 0.60,
    "curiosity_within1": 0.90,
    "curiosity_exact": 0.60,
    "outcome_accuracy": 0.90,
    "deal_breaker_f1": 0.85,
}


@dataclass
class Case:
    id: str
    transcript: Transcript
    labels: dict


@dataclass
class Result:
    case: Case
    card: Scorecard


@dataclass
class Agreement:
    n: int = 0
    metrics: dict[str, float] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)


def load_cases(paths: Iterable[str]) -> list[Case]:
    cases = []
    for path in paths:
        for item in load(path):
            if item.transcript is None:
                raise InputError(f"{item.where}: {item.error}")
            extra = item.transcript.model_extra or {}
            if "labels" not in extra:
                raise InputError(f"{item.where}: no 'labels' field")
            cases.append(Case(id=str(extra.get("id", item.where)), transcript=item.transcript, labels=extra["labels"]))
    return cases


def _f1(tp: int, fp: int, fn: int) -> float:
    if tp == 0:
        return 1.0 if fp == fn == 0 else 0.0
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return 2 * precision * recall / (precision + recall)


def agreement(results: Sequence[Result]) -> Agreement:
    ag = Agreement(n=len(results))
    if not results:
        return ag
    hits = {k: 0 for k in ("humility_exact", "humility_within1", "curiosity_exact", "curiosity_within1", "outcome")}
    tp = fp = fn = 0
    for r in results:
        labels, crit = r.case.labels, r.card.criteria
        problems = []
        for name in ("humility", "curiosity"):
            got, want = getattr(crit, name).score, int(labels[name])
            hits[f"{name}_exact"] += got == want
            hits[f"{name}_within1"] += abs(got - want) <= 1
            if got != want:
                problems.append(f"{name} {got} (label {want})")
        if crit.asked_for_job.outcome == labels["asked_for_job"]:
            hits["outcome"] += 1
        else:
            problems.append(f"asked_for_job {crit.asked_for_job.outcome} (label {labels['asked_for_job']})")
        got_kinds = {d.kind for d in r.card.deal_breakers}
        want_kinds = set(labels.get("deal_breakers", []))
        tp += len(got_kinds & want_kinds)
        fp += len(got_kinds - want_kinds)
        fn += len(want_kinds - got_kinds)
        if got_kinds != want_kinds:
            problems.append(f"deal_breakers {sorted(got_kinds)} (label {sorted(want_kinds)})")
        if problems:
            ag.misses.append(f"{r.case.id}: " + "; ".join(problems))
    n = len(results)
    ag.metrics = {
        "humility_exact": hits["humility_exact"] / n,
        "humility_within1": hits["humility_within1"] / n,
        "curiosity_exact": hits["curiosity_exact"] / n,
        "curiosity_within1": hits["curiosity_within1"] / n,
        "outcome_accuracy": hits["outcome"] / n,
        "deal_breaker_f1": _f1(tp, fp, fn),
    }
    return ag


def format_table(name: str, ag: Agreement) -> str:
    rows = [f"{name}  (n={ag.n})", f"  {'metric':<20} {'value':>7} {'target':>7}  ok"]
    for metric, value in ag.metrics.items():
        target = TARGETS.get(metric)
        ok = "yes" if target is None or value >= target else "NO"
        rows.append(f"  {metric:<20} {value:>7.1%} {target:>7.0%}  {ok}" if target else f"  {metric:<20} {value:>7.1%}")
    return "\n".join(rows)


def default_datasets() -> list[str]:
    return sorted(glob.glob(str(Path("evals") / "datasets" / "*.jsonl")))


def main(paths: Sequence[str], *, engine: str = "offline", model: str | None = None, misses: bool = True) -> int:
    from agent.engines import get_scorer

    paths = list(paths) or default_datasets()
    if not paths:
        raise InputError("no datasets given and none found under evals/datasets/")
    scorer = get_scorer(engine, model)
    failed = False
    for path in paths:
        cases = load_cases([path])
        results = [Result(case=c, card=scorer.score(c.transcript)) for c in cases]
        ag = agreement(results)
        print(format_table(f"{Path(path).name} [{scorer.name}]", ag))
        failed |= any(ag.metrics[m] < t for m, t in TARGETS.items())
        if misses and ag.misses:
            print("  disagreements:")
            for line in ag.misses:
                print(f"    {line}")
        print()
    sys.stdout.flush()
    return 1 if failed else 0
