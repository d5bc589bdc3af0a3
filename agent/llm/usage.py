"""What an interview or a scoring run used: tokens in and out, and an estimated cost.

Model facts (encoding, context window, list prices) are data in `agent/data/models.json`, so a
price change is a data edit. The cost is always labelled an estimate: providers bill what their
own tokenizer counted, with discounts this file may not know about.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

MODELS_FILE = Path(__file__).resolve().parent.parent / "data" / "models.json"


@cache
def _table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MODELS_FILE.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class ModelFacts:
    name: str  # the table entry that matched, or the model's own name when none did
    known: bool
    encoding: str
    context: int
    input: float | None = None  # USD per million tokens
    cached_input: float | None = None
    output: float | None = None


def facts(model: str) -> ModelFacts:
    """Exact name first, then the longest known prefix (dated snapshots); unknown models get defaults."""
    table = _table()
    models: dict[str, dict[str, Any]] = table["models"]
    key = model if model in models else max((m for m in models if model.startswith(m)), key=len, default=None)
    if key is None:
        default = table["default"]
        return ModelFacts(name=model, known=False, encoding=default["encoding"], context=int(default["context"]))
    row = models[key]
    return ModelFacts(
        name=key,
        known=True,
        encoding=row["encoding"],
        context=int(row["context"]),
        input=row.get("input"),
        cached_input=row.get("cached_input", row.get("input")),
        output=row.get("output"),
    )


@dataclass
class Call:
    purpose: str  # "interviewer", "judge:humility", ...
    counted_input: int  # our own count before sending
    input_tokens: int  # what the server reported (our count when it reported nothing)
    output_tokens: int
    cached_input_tokens: int = 0
    reported: bool = True


@dataclass
class Ledger:
    """Every model call of one interview or scoring run. Failed attempts are not billed by most
    providers, so only calls that returned an answer are entered."""

    model: str
    calls: list[Call] = field(default_factory=list)

    def add(self, call: Call) -> None:
        self.calls.append(call)

    @property
    def input_tokens(self) -> int:
        return sum(c.input_tokens for c in self.calls)

    @property
    def output_tokens(self) -> int:
        return sum(c.output_tokens for c in self.calls)

    @property
    def cached_input_tokens(self) -> int:
        return sum(c.cached_input_tokens for c in self.calls)

    def cost(self) -> float | None:
        f = facts(self.model)
        if f.input is None or f.output is None:
            return None
        per = float(_table()["per_tokens"])
        cached = self.cached_input_tokens
        fresh = self.input_tokens - cached
        cached_price = f.cached_input if f.cached_input is not None else f.input
        return round((fresh * f.input + cached * cached_price + self.output_tokens * f.output) / per, 6)

    def summary(self) -> dict[str, Any]:
        """The `usage` block of a scorecard: plain JSON."""
        cost = self.cost()
        out: dict[str, Any] = {
            "model": self.model,
            "calls": len(self.calls),
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "estimated_cost_usd": cost,
            "cost_note": (
                f"estimate from list prices as of {_table()['as_of']}"
                if cost is not None
                else "no price known for this model (a local server costs nothing per token)"
            ),
        }
        if any(not c.reported for c in self.calls):
            out["counted_locally"] = sum(1 for c in self.calls if not c.reported)
        return out

    def line(self) -> str:
        cost = self.cost()
        money = f", est. ${cost:.4f}" if cost is not None else ""
        return (
            f"{self.model}: {len(self.calls)} calls, {self.input_tokens} input tokens "
            f"({self.cached_input_tokens} cached), {self.output_tokens} output tokens{money}"
        )
