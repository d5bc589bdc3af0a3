"""Personas and the question plan, read from `prompts/` into typed objects both engines share."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from agent.models import PERSONAS, TOPICS, Context
from agent.prompts import PromptError, load_data


@dataclass(frozen=True)
class TopicPlan:
    id: str
    label: str
    worry: str
    questions: tuple[str, ...]
    probes: tuple[str, ...]


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    title: str
    label: str
    description: str
    tone: str
    focus: tuple[str, ...]
    openings: tuple[str, ...]
    pushback: dict[str, tuple[str, ...]]
    answers: dict[str, str]
    job_ask_reply: tuple[str, ...]
    grant_permission: tuple[str, ...]
    cant_answer: tuple[str, ...]
    closings: tuple[str, ...]
    version: str


@dataclass(frozen=True)
class Plan:
    version: str
    defaults: dict[str, str]
    topics: dict[str, TopicPlan]
    follow_ups: dict[str, tuple[str, ...]]
    acknowledgements: dict[str, tuple[str, ...]]
    invite_questions: tuple[str, ...]
    more_questions: tuple[str, ...]
    last_call: tuple[str, ...]


@cache
def load_plan() -> Plan:
    data = load_data("plan")
    topics = {
        name: TopicPlan(
            id=name,
            label=spec["label"],
            worry=spec["worry"],
            questions=tuple(spec["questions"]),
            probes=tuple(spec.get("probes", ())),
        )
        for name, spec in data["topics"].items()
    }
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise PromptError(f"plan.yaml: unknown topic(s) {sorted(unknown)}")
    return Plan(
        version=str(data["version"]),
        defaults=dict(data["defaults"]),
        topics=topics,
        follow_ups={k: tuple(v) for k, v in data["follow_ups"].items()},
        acknowledgements={k: tuple(v) for k, v in data["acknowledgements"].items()},
        last_call=tuple(data["last_call"]),
        invite_questions=tuple(data["invite_questions"]),
        more_questions=tuple(data["more_questions"]),
    )


@cache
def load_persona(persona_id: str) -> Persona:
    if persona_id not in PERSONAS:
        raise PromptError(f"unknown persona '{persona_id}' (choose one of: {', '.join(PERSONAS)})")
    data: dict[str, Any] = load_data(f"personas/{persona_id}")
    focus = tuple(data["focus"])
    if sorted(focus) != sorted(TOPICS):
        raise PromptError(f"personas/{persona_id}.yaml: focus must order all six plan topics")
    return Persona(
        id=persona_id,
        name=data["name"],
        title=data["title"],
        label=data["label"],
        description=data["description"],
        tone=data["tone"],
        focus=focus,
        openings=tuple(data["openings"]),
        pushback={k: tuple(v) for k, v in data["pushback"].items()},
        answers=dict(data["answers"]),
        job_ask_reply=tuple(data["job_ask_reply"]),
        grant_permission=tuple(data["grant_permission"]),
        cant_answer=tuple(data["cant_answer"]),
        closings=tuple(data["closings"]),
        version=str(data["version"]),
    )


def _clean(value: str) -> str:
    """Context goes into interviewer lines, which must hold one question mark at most."""
    return " ".join(value.replace("?", "").replace("{", "(").replace("}", ")").split())


def context_values(context: Context | None, persona: Persona | None = None) -> dict[str, str]:
    """The placeholders every plan, persona and coaching line may use, with the plan's defaults."""
    defaults = load_plan().defaults
    ctx = context or Context()
    values = {
        key: _clean(getattr(ctx, key) or "") or defaults[key] for key in ("company", "industry", "role")
    }
    if persona:
        values.update(name=persona.name, title=persona.title)
    return values
