"""The interviewer's request: a stable prefix, the conversation, and a changing tail.

Layout, chosen so provider prefix caching applies turn after turn:

    system     persona, company context, the whole question plan, the rules   (never changes)
    user       a fixed "the candidate sits down" line                          (never changes)
    assistant  interviewer turn 0
    user       candidate turn 1
    ...
    user       the latest candidate turn, then the stage direction in a nonce-tagged block

Each request therefore repeats the previous one up to where the previous direction began. Roles
alternate strictly (system, user, assistant, user, ...) because some chat templates, Gemma's
among them, refuse anything else. Pure functions of the session: no model, no network.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from functools import cache
from typing import Any

from agent.llm.tokens import Message, count_messages
from agent.plan import Persona, context_values, load_persona, load_plan
from agent.prompts import fill, load_data, load_template
from agent.session import InterviewSession, Move

NO_JOB_DESCRIPTION = "No written job description; go by the role title."
FACT_LABELS = {
    "market": "The market",
    "competition": "Competitors",
    "challenges": "The biggest challenges",
    "interviewer_view": "Your own view",
    "culture": "Culture",
    "team": "The team",
    "role_success": "What success in the role looks like",
    "compensation": "Pay and package",
    "next_steps": "Next steps in the process",
    "generic": "Anything else",
}
TRIM_STEP = 4  # turns dropped at a time, so the trimmed prefix stays stable for a few turns


@cache
def _moves() -> dict[str, Any]:
    return load_data("interviewer/moves")


def prompt_versions() -> dict[str, str]:
    return {
        "interviewer/system": load_template("interviewer/system").version,
        "interviewer/direction": load_template("interviewer/direction").version,
        "interviewer/moves": str(_moves()["version"]),
    }


def _values(session: InterviewSession, persona: Persona) -> dict[str, str]:
    return context_values(session.state.context, persona)


def _example(topic: str, values: dict[str, str], index: int) -> str:
    questions = load_plan().topics[topic].questions
    return fill(questions[index % len(questions)], values, source=f"plan {topic}")


def system_prompt(session: InterviewSession) -> str:
    persona = load_persona(session.state.persona)
    values = _values(session, persona)
    plan = load_plan()
    lines = []
    for topic in persona.focus:
        tp = plan.topics[topic]
        lines.append(f'- {tp.label}: {tp.worry} One way to ask: "{_example(topic, values, 0)}"')
    lines.append("- Near the end: leave room for the candidate's own questions, answer them briefly, then close.")
    jd = " ".join((session.state.context.job_description or "").split()) or NO_JOB_DESCRIPTION
    facts = "\n".join(
        f"- {FACT_LABELS.get(kind, kind.replace('_', ' '))}: {fill(text, values, source=f'persona {persona.id}')}"
        for kind, text in persona.answers.items()
    )
    return load_template("interviewer/system").render(
        **values,
        persona_description=" ".join(persona.description.split()),
        tone=persona.tone,
        job_description=jd,
        plan="\n".join(lines),
        facts=facts,
    )


def direction(session: InterviewSession, move: Move) -> str:
    """What the model should say next, in words: the session's Move made explicit."""
    persona = load_persona(session.state.persona)
    values = _values(session, persona)
    data = _moves()
    plan = load_plan()
    topic = move.topic or session.state.current_topic
    extra: dict[str, str] = {"quote": move.quote or "", "answer_to": move.answer_to or ""}
    if topic and topic in plan.topics:
        tp = plan.topics[topic]
        extra.update(topic_label=tp.label.lower(), topic_worry=tp.worry, topic_example=_example(topic, values, 1))
    else:
        extra.update(topic_label="the role", topic_worry="", topic_example="")
    extra["deal_breaker"] = data["deal_breakers"].get(move.reason or "", "said something that worried you")
    key: str = move.kind
    if move.kind == "follow_up":
        key = "follow_up_evasive" if move.reason == "evasive" else "follow_up_thin"
    elif move.kind == "close" and move.reason == "job_ask":
        key = "close_job_ask"
    parts = []
    if move.answer_to and move.kind in ("question", "invite", "answer", "close"):
        parts.append(fill(data["answer_first"], {**values, **extra}, source="interviewer/moves"))
    parts.append(fill(data["moves"][key], {**values, **extra}, source="interviewer/moves"))
    return " ".join(" ".join(p.split()) for p in parts)


def new_tag(session: InterviewSession) -> str:
    """`direction-<random>`: a candidate can't write the closing tag of a block whose name they can't know."""
    said = " ".join(t.text for t in session.state.turns)
    while True:
        tag = f"direction-{secrets.token_hex(4)}"
        if tag not in said:
            return tag


def build(session: InterviewSession, move: Move, tag: str, *, omitted: int = 0) -> list[Message]:
    """The request for this move. `omitted` older turns are left out (see `fit`)."""
    begin = str(_moves()["begin"])
    if omitted:
        begin += (
            f" (The first {omitted} turns of this conversation are not shown to save space; "
            "do not repeat subjects you already covered.)"
        )
    tail = load_template("interviewer/direction").render(tag=tag, direction=direction(session, move))
    messages: list[Message] = [("system", system_prompt(session)), ("user", begin)]
    turns = session.state.turns[omitted:]
    for turn in turns:
        role = "assistant" if turn.speaker == "interviewer" else "user"
        if messages[-1][0] == role:  # never two in a row: some chat templates reject it
            messages[-1] = (role, messages[-1][1] + "\n\n" + turn.text)
        else:
            messages.append((role, turn.text))
    if messages[-1][0] == "user":
        messages[-1] = ("user", messages[-1][1] + "\n\n" + tail)
    else:
        messages.append(("user", tail))
    return messages


def fit(session: InterviewSession, move: Move, tag: str, budget: int, encoding: str) -> tuple[list[Message], int]:
    """The request within `budget` prompt tokens, dropping the oldest turns a few at a time.

    Drops whole interviewer+candidate pairs from the front, keeping the last exchange always.
    Returns the messages and their token count; raises ValueError when even that doesn't fit.
    """
    turns = len(session.state.turns)
    omitted = 0
    while True:
        messages = build(session, move, tag, omitted=omitted)
        tokens = count_messages(messages, encoding)
        if tokens <= budget:
            return messages, tokens
        if omitted + TRIM_STEP > max(0, turns - 2):
            raise ValueError(f"the interview prompt needs {tokens} tokens, more than the {budget} the model allows")
        omitted += TRIM_STEP


def render_for_snapshot(messages: Sequence[Message]) -> str:
    return "\n".join(f"=== {role} ===\n{content}" for role, content in messages)
