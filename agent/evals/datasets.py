"""Labeled datasets: JSONL transcripts with a `labels` field (see evals/README.md)."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from agent.models import Transcript
from agent.transcripts import InputError, load


@dataclass
class Case:
    id: str
    transcript: Transcript
    labels: dict


EVALS_DIR = Path(__file__).resolve().parent.parent.parent / "evals"


def default_datasets() -> list[str]:
    return sorted(glob.glob(str(EVALS_DIR / "datasets" / "*.jsonl")))


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
