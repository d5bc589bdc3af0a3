"""The LLM judge: one rubric prompt per criterion, structured output, and quotes checked by code.

For each criterion the model answers through `with_structured_output` with a pydantic schema,
trying `json_schema` first and falling back to function calling, then JSON mode, when the server
says it can't (remembered for the rest of the run). The code then checks every quote against the
transcript (agent.llm.evidence). An answer that stays unusable after bounded retries leaves its
criterion unscored: the offline scorer's value stands in, marked as such, never a made-up one.

The offline scorer also runs as a cross-check; where it and the judge disagree on something the
rules can see (a closing ask, a deal-breaker), the scorecard says so in `cross_check`.
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from agent.llm import judge_prompt, resilience
from agent.llm.config import Settings
from agent.llm.evidence import Tally, check
from agent.llm.resilience import InvalidOutput, LLMError, RetryPolicy, Unsupported
from agent.llm.schemas import (
    SCHEMAS,
    AskAnswer,
    CriterionAnswer,
    DealBreakersAnswer,
    FeedbackAnswer,
    RiskTopicsAnswer,
)
from agent.llm.tokens import Message, count, count_messages
from agent.llm.usage import Call, Ledger, facts
from agent.models import (
    AskedForJob,
    Criteria,
    Criterion,
    DealBreaker,
    Evidence,
    Feedback,
    Rewrite,
    RiskTopic,
    Scorecard,
    Transcript,
)

METHODS: tuple[str, ...] = ("json_schema", "function_calling", "json_mode")
SAFETY_MARGIN = 64
UNSCORED = "unscored by the judge; offline fallback"
MAX_EVIDENCE = 3


@dataclass
class Answer:
    parsed: BaseModel | None
    reason: str | None = None  # why there is no usable answer


@dataclass
class LLMScorer:
    """Scores transcripts with a chat model; `model` is built on first use unless a test hands one in."""

    settings: Settings
    model: Any = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    methods: list[str] = field(default_factory=lambda: list(METHODS))
    requests: deque[list[Message]] = field(default_factory=lambda: deque(maxlen=64))  # the latest, for tests
    last_ledger: Ledger | None = None
    parallel: int = 5  # criteria asked at once after the first (which warms the provider's prefix cache)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    name: str = field(init=False)  # the scorecard's `engine`, e.g. "openai:gpt-4o-mini"

    def __post_init__(self) -> None:
        self.policy.retries = self.settings.retries
        self.policy.deadline = self.settings.timeout  # the whole call, not only each read
        self.name = self.settings.engine_name

    @classmethod
    def from_env(cls, model: str | None = None) -> LLMScorer:
        return cls(Settings.from_env("judge", model=model))

    def _model(self) -> Any:
        with self._lock:
            if self.model is None:
                from agent.llm.models import chat_model

                self.model = chat_model(self.settings)
        return self.model

    # --- one criterion --------------------------------------------------------------------------
    def _ask(self, criterion: str, messages: list[Message], ledger: Ledger, check_answer: Any) -> Answer:
        from agent.llm.models import refusal_of, structured, text_of, to_messages, usage_of

        f = facts(self.settings.model)
        budget = (self.settings.context_tokens or f.context) - self.settings.max_tokens - SAFETY_MARGIN
        prompt_tokens = count_messages(messages, f.encoding)
        if prompt_tokens > budget:
            return Answer(None, f"the prompt needs {prompt_tokens} tokens, more than the {budget} the model allows")
        schema = SCHEMAS[criterion]
        lc_messages = to_messages(messages)
        problems: list[str] = []
        invalid = 0
        while invalid <= self.settings.retries:
            if not self.methods:
                raise LLMError(
                    "the judge failed: the server supports no structured output method "
                    "(json_schema, function calling or JSON mode)",
                    kind="unsupported",
                    retryable=False,
                )
            method = self.methods[0]
            runnable = structured(self._model(), schema, method)
            self.requests.append(messages)

            def invoke(runnable: Any = runnable) -> dict[str, Any]:
                try:
                    out: dict[str, Any] = runnable.invoke(lc_messages)
                except Exception as exc:
                    # Unreadable output can also surface as an exception (the openai SDK parses
                    # json_schema replies itself): it counts as an invalid answer, not a transport failure.
                    if resilience.classify(exc).kind in ("invalid", "refusal"):
                        return {"raw": None, "parsed": None, "parsing_error": exc}
                    raise
                return out

            try:
                result = resilience.call(invoke, self.policy, f"the judge ({criterion})")
            except Unsupported:
                with self._lock:  # criteria run in parallel: drop the method once, not once per thread
                    if self.methods and self.methods[0] == method:
                        self.methods.pop(0)  # this server can't do it: never ask it that way again
                continue
            raw = result.get("raw")
            if raw is not None:
                usage = usage_of(raw)
                if usage is None:
                    ledger.add(
                        Call(
                            f"judge:{criterion}",
                            prompt_tokens,
                            prompt_tokens,
                            count(text_of(raw) or str(raw.additional_kwargs.get("tool_calls", "")), f.encoding),
                            reported=False,
                        )
                    )
                else:
                    ledger.add(
                        Call(
                            f"judge:{criterion}",
                            prompt_tokens,
                            usage.input_tokens,
                            usage.output_tokens,
                            usage.cached_input_tokens,
                        )
                    )
            parsed = result.get("parsed")
            try:
                if raw is not None and refusal_of(raw):
                    raise InvalidOutput(f"refused: {refusal_of(raw)}", kind="refusal")
                if parsed is None:
                    error = result.get("parsing_error")
                    raise InvalidOutput(f"unreadable answer ({type(error).__name__ if error else 'empty'})")
                check_answer(parsed)
                return Answer(parsed)
            except InvalidOutput as exc:
                problems.append(str(exc))
                invalid += 1
        return Answer(None, f"no valid answer after {invalid} attempts ({problems[-1] if problems else 'unknown'})")

    # --- the whole scorecard --------------------------------------------------------------------
    def score(self, transcript: Transcript) -> Scorecard:
        from agent.offline.scorer import score as offline_score

        baseline = offline_score(transcript)
        ledger = Ledger(model=self.settings.model)
        self.last_ledger = ledger
        tag = judge_prompt.new_tag(transcript)
        candidate = {i: t for i, t in transcript.candidate_turns()}
        n_turns = len(transcript.turns)
        tally = Tally()
        unscored: dict[str, str] = {}
        raised: list[str] = [str(r.topic) for r in baseline.risk_topics]

        def fetch(criterion: str, validate: Any = None, topics: list[str] | None = None) -> Any:
            msgs = judge_prompt.messages(transcript, criterion, tag, topics=topics)

            def check_answer(parsed: BaseModel) -> None:
                if validate:
                    validate(parsed)

            answer = self._ask(criterion, msgs, ledger, check_answer)
            if answer.parsed is None:
                unscored[criterion] = answer.reason or "no answer"
            return answer.parsed

        # The criteria are independent: the first goes alone so its shared prefix is cached by the
        # provider, then the rest go together. Each answer is read below in a fixed order.
        jobs: dict[str, tuple[Any, list[str] | None]] = {
            "humility": (None, None),
            "curiosity": (None, None),
            "asked_for_job": (_check_ask, None),
            "deal_breakers": (None, None),
            "feedback": (None, None),
        }
        if raised:
            jobs["risk_topics"] = (lambda p: _check_topics(p, raised), raised)
        answers: dict[str, Any] = {"humility": fetch("humility")}
        rest = [name for name in jobs if name != "humility"]
        with ThreadPoolExecutor(max_workers=max(1, self.parallel)) as pool:
            futures = {name: pool.submit(fetch, name, *jobs[name]) for name in rest}
            answers.update({name: future.result() for name, future in futures.items()})

        def evidence(quotes: list[Any]) -> list[Evidence]:
            out: list[Evidence] = []
            for q in quotes:
                found = check(q.quote, q.turn, candidate, tally)
                if found and all((e.turn, e.quote) != found for e in out):
                    out.append(Evidence(turn=found[0], quote=found[1]))
            return out[:MAX_EVIDENCE]

        def criterion(name: str, fallback: Criterion) -> Criterion:
            parsed = answers.get(name)
            if not isinstance(parsed, CriterionAnswer):
                return _fallback(fallback, baseline.engine)
            return Criterion(score=parsed.score, rationale=parsed.rationale.strip(), evidence=evidence(parsed.evidence))

        humility = criterion("humility", baseline.criteria.humility)
        curiosity = criterion("curiosity", baseline.criteria.curiosity)

        ask_parsed = answers.get("asked_for_job")
        if isinstance(ask_parsed, AskAnswer):
            asked = AskedForJob(
                outcome=ask_parsed.outcome,
                score=ask_parsed.score,
                rationale=ask_parsed.rationale.strip(),
                evidence=evidence(ask_parsed.evidence),
            )
        else:
            asked = _fallback(baseline.criteria.asked_for_job, baseline.engine)

        db_parsed = answers.get("deal_breakers")
        if isinstance(db_parsed, DealBreakersAnswer):
            deal_breakers: list[DealBreaker] = []
            for item in db_parsed.items:
                found = check(item.quote, item.turn, candidate, tally)
                if found and all((d.kind, d.turn) != (item.kind, found[0]) for d in deal_breakers):
                    deal_breakers.append(DealBreaker(kind=item.kind, turn=found[0], quote=found[1]))
        else:
            deal_breakers = list(baseline.deal_breakers)

        risk_topics: list[RiskTopic] = []
        if raised:
            rt_parsed = answers.get("risk_topics")
            if isinstance(rt_parsed, RiskTopicsAnswer):
                seen: set[str] = set()
                for risk in rt_parsed.items:
                    if risk.topic in raised and risk.topic not in seen:
                        seen.add(risk.topic)
                        risk_topics.append(
                            RiskTopic(topic=risk.topic, verdict=risk.verdict, evidence=evidence(risk.evidence)[:2])
                        )
            else:
                risk_topics = list(baseline.risk_topics)

        fb_parsed = answers.get("feedback")
        if isinstance(fb_parsed, FeedbackAnswer):
            rewrite = None
            if fb_parsed.rewrite and fb_parsed.rewrite_turn in candidate:
                rewrite = Rewrite(turn=fb_parsed.rewrite_turn, better=fb_parsed.rewrite.strip())
            feedback: Feedback | None = Feedback(
                strengths=[s.strip() for s in fb_parsed.strengths if s.strip()][:3],
                top_change=fb_parsed.top_change.strip() or None,
                rewrite=rewrite,
            )
        else:
            feedback = baseline.feedback

        card = Scorecard(
            engine=self.name,
            criteria=Criteria(humility=humility, curiosity=curiosity, asked_for_job=asked),
            deal_breakers=deal_breakers,
            risk_topics=risk_topics,
            feedback=feedback,
        )
        extra: dict[str, Any] = {
            "unscored": sorted(unscored),
            "evidence_dropped": tally.dropped,
            "evidence_repaired": tally.repaired,
            "cross_check": cross_check(card, baseline, n_turns),
            "usage": ledger.summary(),
            "prompts": judge_prompt.prompt_versions(),
            "structured_output": self.methods[0] if self.methods else None,
        }
        if unscored:
            extra["unscored_reasons"] = unscored
        notes = (baseline.model_extra or {}).get("notes")
        if notes:
            extra["notes"] = notes
        for key, value in extra.items():
            setattr(card, key, value)
        return card


C = TypeVar("C", bound=Criterion)


def _fallback(criterion: C, engine: str) -> C:
    """The offline scorer's value for a criterion the model could not score, labelled as such: the
    rationale says so and `scored_by` names the engine that really produced the score."""
    return criterion.model_copy(update={"rationale": f"{UNSCORED}: {criterion.rationale}", "scored_by": engine})


def _check_ask(parsed: BaseModel) -> None:
    assert isinstance(parsed, AskAnswer)
    allowed = {"asked": (4, 5), "not_asked": (1, 2), "premature": (1, 1)}[parsed.outcome]
    if not allowed[0] <= parsed.score <= allowed[1]:
        # The rubric ties the score to the outcome; clamp rather than reject a near miss.
        parsed.score = min(max(parsed.score, allowed[0]), allowed[1])


def _check_topics(parsed: BaseModel, raised: list[str]) -> None:
    assert isinstance(parsed, RiskTopicsAnswer)
    if not any(item.topic in raised for item in parsed.items):
        raise InvalidOutput("no verdict for any raised topic")


def cross_check(card: Scorecard, baseline: Scorecard, n_turns: int) -> list[str]:
    """Where the judge and the rules disagree about things the rules can see in the text."""
    notes: list[str] = []
    judged, rules = card.criteria.asked_for_job, baseline.criteria.asked_for_job
    if judged.outcome != rules.outcome and not judged.scored_by:
        where = f" (turn {rules.evidence[0].turn})" if rules.evidence else ""
        detail = {
            "asked": f"the rules found a closing ask{where}",
            "not_asked": "no closing ask was found in the text",
            "premature": f"the rules found a push for an offer, pay or a start date before the close{where}",
        }[rules.outcome]
        notes.append(f"asked_for_job: the judge says {judged.outcome}; {detail}")
    for name in ("humility", "curiosity"):
        j, r = getattr(card.criteria, name), getattr(baseline.criteria, name)
        if abs(j.score - r.score) >= 2 and not j.scored_by:
            notes.append(f"{name}: the judge gives {j.score}, the rules give {r.score}")
    judge_kinds = {d.kind for d in card.deal_breakers}
    rule_kinds = {d.kind for d in baseline.deal_breakers}
    for kind in sorted(judge_kinds - rule_kinds):
        notes.append(f"deal-breaker {kind}: found by the judge, not by the rules")
    for kind in sorted(rule_kinds - judge_kinds):
        turn = next(d.turn for d in baseline.deal_breakers if d.kind == kind)
        notes.append(f"deal-breaker {kind}: found by the rules in turn {turn}, not by the judge")
    return notes
